#include "protocols/http/ws_session.hpp"

#include <algorithm>
#include <climits>
#include <sstream>
#include <sys/socket.h>
#include <sys/uio.h>
#include <variant>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/write.hpp>

#include "protocols/http/ws_handshake.hpp"

namespace signalbox::http {

namespace asio = boost::asio;

namespace {

/// Buffers per sendmsg: the kernel's limit.
constexpr size_t max_iov = IOV_MAX;

/// A batch vector keeps its capacity for the next batch up to this many
/// entries; a burst larger than that gives its memory back.
constexpr size_t kept_batch_capacity = 256;

/// The read buffer is given back once empty if it grew beyond this.
constexpr size_t kept_read_capacity = 16 * 1024;

/// At most this much is read per turn (more only for a frame that needs
/// it), and at most this many frames are handled: then the connection
/// yields, so a client sending small messages in a loop gets the io thread
/// for as long per turn as the others, not for as long as its buffer lasts.
constexpr size_t max_read_bytes = 64 * 1024;
constexpr size_t max_frames_per_turn = 32;

} // namespace

ws_session::ws_session(wire&& stream, net_options limits,
                       std::shared_ptr<session_registry> sessions)
    : wire_(std::move(stream)), parser_(limits.max_frame_bytes),
      limits_(std::move(limits)), sessions_(std::move(sessions)),
      counters_(sessions_->counters()), timer_(wire_.get_executor()) {
  // nop
}

ws_session::~ws_session() {
  if (registered_)
    sessions_->remove(this);
}

// -- the handshake ------------------------------------------------------------

void ws_session::accept(request_type req, std::string subprotocol) {
  if (!sessions_->add(shared_from_this())) {
    // At the connection limit or shutting down: refuse before the handshake.
    wire_.close();
    return;
  }
  registered_ = true;
  auto self = shared_from_this();
  asio::dispatch(wire_.get_executor(), [self, req = std::move(req),
                                        subprotocol = std::move(subprotocol)] {
    {
      std::lock_guard<std::mutex> guard{self->mutex_};
      self->accepting_ = true;
    }
    auto checked = ws::check_upgrade(req);
    if (auto refusal = std::get_if<ws::handshake_refusal>(&checked)) {
      // Not a valid opening handshake: answer it over HTTP and close.
      auto res = ws::refusal_response(*refusal, req.version());
      std::ostringstream out;
      out << res;
      self->push_own(out.str(), true);
      self->closing_ = true;
      self->arm_close_timer();
      self->start_reading();
      return;
    }
    self->push_own(
        ws::switching_protocols(std::get<std::string>(checked), subprotocol),
        false);
    self->open_ = true;
    self->on_open();
    if (self->finished_)
      return;
    self->arm_keepalive();
    self->start_reading();
  });
}

// -- reading ------------------------------------------------------------------

void ws_session::start_reading() {
  wait_readable();
}

void ws_session::wait_readable() {
  read_pending_ = true;
  wire_.async_wait_readable([self = shared_from_this()](beast::error_code ec) {
    self->read_pending_ = false;
    self->on_readable(ec);
  });
}

void ws_session::pause_reading() {
  reading_paused_ = true;
}

void ws_session::resume_reading() {
  if (!reading_paused_)
    return;
  reading_paused_ = false;
  asio::post(wire_.get_executor(),
             [self = shared_from_this()] { self->continue_reading(); });
}

void ws_session::continue_reading() {
  // A wait under way picks the socket up itself; a new pause wins.
  if (finished_ || reading_paused_ || read_pending_)
    return;
  if (!discard_input_ && !handle_input())
    return;
  if (reading_paused_ || yield_if_backlog())
    return;
  on_readable({});
}

bool ws_session::yield_if_backlog() {
  if (!input_backlog_)
    return false;
  // Frames are left in the buffer: handle them on the next turn, before
  // reading more.
  input_backlog_ = false;
  asio::post(wire_.get_executor(),
             [self = shared_from_this()] { self->continue_reading(); });
  return true;
}

void ws_session::on_readable(beast::error_code ec) {
  if (finished_)
    return;
  if (ec) {
    finish();
    return;
  }
  if (reading_paused_)
    return; // resume_reading reads again
  // One read per turn, of what is there up to max_read_bytes (or what the
  // frame being parsed still needs), then back to the reactor: a client
  // that keeps the socket full must not keep this io thread from the
  // others' reads, writes and posted work.
  auto have = read_buffer_.size();
  auto wanted = parser_.bytes_wanted();
  size_t chunk =
      std::clamp<size_t>(wire_.socket().available(ec), 512, max_read_bytes);
  if (wanted > have)
    chunk = std::max(chunk, wanted - have);
  auto space = read_buffer_.prepare(chunk);
  auto n = wire_.read_some(space, ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    // The peer closed or reset: nothing more to say to it.
    finish();
    return;
  }
  if (!ec) {
    read_buffer_.commit(n);
    heard_ = true;
    if (discard_input_)
      read_buffer_.clear();
    else if (!handle_input())
      return;
    if (reading_paused_)
      return; // the node is behind: the socket waits, resume reads it
    if (yield_if_backlog())
      return;
  }
  if (read_buffer_.size() == 0 && read_buffer_.capacity() > kept_read_capacity)
    read_buffer_.shrink_to_fit();
  wait_readable();
}

size_t ws_session::queued_bytes() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return queued_bytes_;
}

bool ws_session::handle_input() {
  using kind = ws::frame_parser::kind;
  for (size_t frames = 0;; ++frames) {
    if (frames == max_frames_per_turn) {
      input_backlog_ = read_buffer_.size() > 0;
      return true;
    }
    auto data = read_buffer_.data();
    auto e = parser_.parse(static_cast<char*>(data.data()), data.size());
    switch (e.what) {
    case kind::need_more:
      return true;
    case kind::error:
      if (e.code == ws::close_code::too_big)
        counters_.oversized_messages.add();
      read_buffer_.clear();
      discard_input_ = true;
      failed_ = true;
      close_with(e.code, e.reason);
      return !finished_;
    case kind::frame:
      break;
    case kind::message:
      if (open_ && !closing_) {
        counters_.frames_received.add();
        if (e.type == ws::opcode::binary)
          on_binary_message(e.payload);
        else
          on_message(e.payload);
        if (finished_)
          return false;
        if (reading_paused_) {
          read_buffer_.consume(e.consumed);
          return true;
        }
      }
      break;
    case kind::ping:
      if (!closing_)
        push_own(ws::make_frame(ws::opcode::pong, e.payload), false);
      break;
    case kind::pong:
      pinged_ = false;
      break;
    case kind::close:
      on_peer_close(e.code, e.payload);
      read_buffer_.clear();
      return !finished_;
    }
    read_buffer_.consume(e.consumed);
  }
}

void ws_session::on_peer_close(uint16_t code, std::string_view) {
  peer_closed_ = true;
  discard_input_ = true;
  if (closing_) {
    // The answer to our close: the handshake is complete once ours is out.
    if (output_ended_)
      finish();
    return;
  }
  // Echo the peer's code, after the frame being written; what is queued
  // behind it is dropped (the peer said it reads no more).
  closing_ = true;
  drop_pending();
  push_own(ws::make_close_frame(code, ""), true);
  arm_close_timer();
}

// -- writing ------------------------------------------------------------------

void ws_session::send(outbound_frame frame) {
  if (auto self = queue_frame(std::move(frame)))
    schedule_flush(std::move(self));
}

std::shared_ptr<ws_session> ws_session::queue_frame(outbound_frame frame) {
  // An empty binary message is valid (an empty attachment); an empty text
  // frame is never meant.
  if (frame.bytes.empty() && !frame.binary)
    return nullptr;
  queued entry;
  if (!frame.framed)
    entry.header_size = static_cast<uint8_t>(ws::write_header(
        entry.header, frame.binary ? ws::opcode::binary : ws::opcode::text,
        frame.bytes.size()));
  entry.frame = std::move(frame);
  return push(std::move(entry));
}

void ws_session::flush_soon() {
  // Usually called from the io thread with many sessions in a row: each
  // flush runs right here unless its strand is busy elsewhere.
  asio::dispatch(wire_.get_executor(),
                 [self = shared_from_this()] { self->flush(); });
}

std::shared_ptr<ws_session> ws_session::push(queued&& entry) {
  bool post = false;
  bool overflow = false;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    // A close frame is queued even after a slow consumer stopped the
    // intake; once it is queued, nothing else is (not even by a publisher
    // appending right now).
    if (!accepting_ && !(entry.ends_output && !output_closed_))
      return nullptr;
    auto size = entry.size();
    if (!entry.ends_output &&
        (queued_frames_ >= limits_.max_queue_frames ||
         queued_bytes_ + size > limits_.max_queue_bytes)) {
      accepting_ = false;
      overflow = true;
    } else {
      queued_bytes_ += size;
      ++queued_frames_;
      if (entry.ends_output) {
        accepting_ = false;
        output_closed_ = true;
      }
      pending_.push_back(std::move(entry));
      post = !flushing_;
      flushing_ = true;
    }
  }
  if (overflow) {
    counters_.slow_consumers.add();
    // Any thread may get here; the close belongs on the strand. Only a weak
    // reference is taken: the ttmnotify fan-out calls this under its lock,
    // and an owning one released here could be the last, running the
    // session's destructor, which takes that lock too.
    asio::post(wire_.get_executor(), [weak = weak_from_this()] {
      if (auto self = weak.lock())
        self->close_with(ws::close_code::policy_error, "slow consumer");
    });
    return nullptr;
  }
  if (!post)
    return nullptr;
  // A publisher may reach a session whose last owner is just letting go
  // (the ttmnotify fan-out holds sessions by pointer): then there is
  // nothing left to write to. The reference goes to the caller, who must
  // release it outside any lock the session's destructor takes.
  return weak_from_this().lock();
}

void ws_session::push_own(std::string bytes, bool ends_output) {
  auto owner = std::make_shared<const std::string>(std::move(bytes));
  queued entry;
  entry.frame = {owner, *owner, false, true};
  entry.ends_output = ends_output;
  if (auto self = push(std::move(entry)))
    schedule_flush(std::move(self));
}

void ws_session::schedule_flush(std::shared_ptr<ws_session> self) {
  // Posted even from the strand: the write never runs inside a caller's
  // handler (on_message, a close), and frames queued meanwhile join it.
  asio::post(wire_.get_executor(), [self = std::move(self)] { self->flush(); });
}

void ws_session::flush() {
  if (finished_)
    return;
  iovec iov[max_iov];
  for (;;) {
    if (batch_next_ == batch_.size()) {
      batch_.clear();
      batch_next_ = 0;
      batch_offset_ = 0;
      if (batch_.capacity() > kept_batch_capacity)
        std::vector<queued>{}.swap(batch_);
      std::lock_guard<std::mutex> guard{mutex_};
      if (pending_.empty()) {
        flushing_ = false;
        break;
      }
      batch_.swap(pending_);
    }
    // Gather what is left of the batch, up to the kernel's limit.
    size_t count = 0;
    for (auto i = batch_next_; i < batch_.size() && count + 2 <= max_iov; ++i) {
      auto& e = batch_[i];
      size_t skip = i == batch_next_ ? batch_offset_ : 0;
      if (skip < e.header_size) {
        iov[count++] = {e.header + skip, e.header_size - skip};
        skip = 0;
      } else {
        skip -= e.header_size;
      }
      if (skip < e.frame.bytes.size())
        iov[count++] = {const_cast<char*>(e.frame.bytes.data()) + skip,
                        e.frame.bytes.size() - skip};
    }
    beast::error_code ec;
    auto n = wire_.write_some(iov, count, ec);
    if (ec == asio::error::would_block) {
      // The socket buffer is full: continue when it has room. Frames
      // queued meanwhile wait in pending_ (flushing_ stays set); the batch
      // is gathered again from the same place, as TLS requires.
      wire_.async_wait_writable(
          [self = shared_from_this()](beast::error_code wait_ec) {
            if (wait_ec)
              self->finish();
            else
              self->flush();
          });
      return;
    }
    if (ec) {
      finish();
      return;
    }
    on_written(n);
    if (finished_)
      return;
  }
  if (draining_ && !closing_) {
    draining_ = false;
    close_with(drain_code_, drain_code_ == ws::close_code::normal
                                ? "goodbye"
                                : "server shutdown");
  }
}

void ws_session::on_written(size_t bytes) {
  size_t done_frames = 0;
  size_t done_bytes = 0;
  bool ended = false;
  while (bytes > 0 && batch_next_ < batch_.size()) {
    auto& e = batch_[batch_next_];
    auto left = e.size() - batch_offset_;
    if (bytes < left) {
      batch_offset_ += bytes;
      done_bytes += bytes;
      break;
    }
    bytes -= left;
    done_bytes += left;
    ++done_frames;
    ended = ended || e.ends_output;
    // Release the frame's owner now: a notification should not outlive its
    // last write because a batch is still being written.
    e.frame = {};
    ++batch_next_;
    batch_offset_ = 0;
  }
  {
    std::lock_guard<std::mutex> guard{mutex_};
    queued_bytes_ -= done_bytes;
    queued_frames_ -= done_frames;
  }
  counters_.frames_sent.add(done_frames);
  if (ended)
    on_output_ended();
}

void ws_session::on_output_ended() {
  output_ended_ = true;
  if (!open_ || peer_closed_ || failed_) {
    // A refused handshake, our answer to the peer's close, or a failed
    // connection (section 7.1.7: no answer is awaited): the server ends
    // the TCP connection (section 7.1.1), half-closing so the last bytes
    // are not lost to a reset, until the peer's FIN or the close timeout.
    wire_.shutdown_send();
    discard_input_ = true;
  }
  // Otherwise our close is out and the peer's answer is awaited.
}

void ws_session::drop_pending() {
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto& e : pending_) {
    queued_bytes_ -= e.size();
    --queued_frames_;
  }
  pending_.clear();
}

// -- closing ------------------------------------------------------------------

void ws_session::shutdown() {
  asio::post(wire_.get_executor(), [self = shared_from_this()] {
    if (self->open_ && !self->closing_ && !self->draining_) {
      auto last = self->farewell();
      if (!last.bytes.empty()) {
        // The farewell goes right behind the frames being written; the
        // close follows once it is out (flush), bounded by the close timer.
        self->drop_pending();
        self->send(std::move(last));
        self->drain_code_ = ws::close_code::going_away;
        self->draining_ = true;
        self->arm_close_timer();
        return;
      }
    }
    self->close_with(ws::close_code::going_away, "server shutdown");
  });
}

void ws_session::close_when_drained() {
  if (closing_ || draining_ || !open_)
    return;
  drain_code_ = ws::close_code::normal;
  draining_ = true;
  arm_close_timer();
  // An empty queue has no flush to come back to: start one.
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (flushing_)
      return;
    flushing_ = true;
  }
  schedule_flush(shared_from_this());
}

void ws_session::close_with(uint16_t code, const char* reason) {
  if (closing_ || finished_)
    return;
  closing_ = true;
  draining_ = false;
  if (!open_) {
    finish();
    return;
  }
  // No message is handed on any more: read again, for the peer's close.
  resume_reading();
  // Drop what is queued but not yet being written; the close frame goes
  // out after the batch in flight.
  drop_pending();
  push_own(ws::make_close_frame(code, reason), true);
  arm_close_timer();
}

void ws_session::arm_keepalive() {
  // Half the idle timeout: a quiet peer is pinged at the first tick and
  // dropped at the second if it still said nothing.
  timer_.expires_after(limits_.ws_idle_timeout / 2);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closing_ || self->finished_)
      return; // cancelled, or replaced by the close timer
    if (self->heard_ || self->reading_paused_) {
      // A paused peer may well have spoken: the node is not listening.
      self->heard_ = false;
      self->pinged_ = false;
    } else if (!self->pinged_) {
      self->pinged_ = true;
      self->push_own(ws::make_frame(ws::opcode::ping, {}), false);
    } else {
      self->finish(); // silent for the whole idle timeout
      return;
    }
    self->arm_keepalive();
  });
}

void ws_session::arm_close_timer() {
  timer_.expires_after(limits_.close_timeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec)
      self->finish(); // the peer did not take or answer the close in time
  });
}

void ws_session::finish() {
  if (finished_)
    return;
  finished_ = true;
  closing_ = true;
  timer_.cancel();
  {
    std::lock_guard<std::mutex> guard{mutex_};
    accepting_ = false;
    pending_.clear();
    queued_bytes_ = 0;
    queued_frames_ = 0;
  }
  batch_.clear();
  batch_next_ = 0;
  wire_.close();
  if (open_)
    on_closed();
  if (registered_) {
    sessions_->remove(this);
    registered_ = false;
  }
}

} // namespace signalbox::http
