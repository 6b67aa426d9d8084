#include "tools/load/jmri_client.hpp"

#include <algorithm>

#include <boost/asio/dispatch.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace signalbox::load {

namespace {

constexpr std::string_view ping_frame = R"({"type":"ping"})";

// A hello asking for pings more often than this is not taken literally:
// thousands of clients would then be busy with nothing else.
constexpr auto min_heartbeat = std::chrono::milliseconds(10);

std::string subscribe_frame(const std::string& client_id) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("type");
  w.String("client");
  w.Key("method");
  w.String("put");
  w.Key("data");
  w.StartObject();
  w.Key("client");
  w.String(client_id.data(),
           static_cast<rapidjson::SizeType>(client_id.size()));
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

} // namespace

jmri_client::jmri_client(boost::asio::io_context& io, std::string run_id,
                         std::string client_id, size_t publishers,
                         run_stats& stats)
    : strand_(boost::asio::make_strand(io)), ping_timer_(strand_),
      run_id_(std::move(run_id)), subscribe_frame_(subscribe_frame(client_id)),
      stats_(stats), messages_(publishers) {}

void jmri_client::opened() {
  if (closing_) {
    // close() came first: it could not close what was not open yet.
    stats_.connects_failed++;
    abort();
    return;
  }
  open_ = true;
  stats_.connects_made++;
  stats_.open++;
  // The node speaks first: the hello.
}

void jmri_client::open_failed() {
  stats_.connects_failed++;
}

void jmri_client::received(std::string_view text) {
  auto received_ns = now_ns();
  auto frame = frames_.read(text);
  switch (frame.type) {
  case jmri_frame::kind::hello:
    if (!hello_seen_)
      on_hello(frame.heartbeat_ms);
    break;
  case jmri_frame::kind::pong:
    // The first pong answers the ping sent right after the subscription,
    // which the node handled before it: subscribed.
    if (!subscribed_ && hello_seen_) {
      subscribed_ = true;
      stats_.ready++;
      stats_.subscribers_ready++;
      stats_.jmri_ready++;
    }
    break;
  case jmri_frame::kind::message:
    on_message(frame.text, received_ns);
    break;
  case jmri_frame::kind::error:
    // Before the pong, the answer to the subscription (409: the id is in
    // use); after it, nothing this client asks can fail.
    if (!subscribed_)
      refused();
    else
      stats_.jmri_errors++;
    break;
  default:
    // A goodbye (the node shuts down: the close follows), anything else.
    break;
  }
}

void jmri_client::on_hello(uint64_t heartbeat_ms) {
  hello_seen_ = true;
  if (closing_)
    return;
  send(subscribe_frame_);
  send(ping_frame);
  if (heartbeat_ms > 0) {
    heartbeat_ = std::max<clock::duration>(
        std::chrono::milliseconds(heartbeat_ms), min_heartbeat);
    next_ping_ = clock::now() + heartbeat_;
    schedule_ping();
  }
}

void jmri_client::schedule_ping() {
  // Absolute times: the interval does not drift with the load, and the
  // node's idle timeout (1.1 x its interval, announced as 0.9 x) leaves
  // 20 % of slack.
  ping_timer_.expires_at(next_ping_);
  ping_timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->closing_)
          return;
        self->send(ping_frame);
        self->next_ping_ += self->heartbeat_;
        auto now = clock::now();
        if (self->next_ping_ < now)
          self->next_ping_ = now; // stalled: one ping, not a burst
        self->schedule_ping();
      });
}

void jmri_client::on_message(std::string_view text, uint64_t received_ns) {
  stats_.jmri_messages++;
  // Messages of other runs and the node's own (job status) are not ours to
  // check.
  if (!stamps_.read(text, stamp_) || stamp_.run != run_id_ ||
      !messages_.record(stamp_.pub, stamp_.seq)) {
    stats_.jmri_other++;
    return;
  }
  stats_.jmri_delivered++;
  if (received_ns >= stamp_.t_ns)
    stats_.jmri_delivery.record(received_ns - stamp_.t_ns);
}

void jmri_client::refused() {
  if (closing_)
    return;
  stats_.connects_failed++;
  // ended() must not count it again.
  closing_ = true;
  ping_timer_.cancel();
  abort();
}

void jmri_client::ended() {
  if (!closing_) {
    // Refused before it was set up: a connection that failed; after: one
    // that dropped.
    if (subscribed_)
      stats_.dropped++;
    else
      stats_.connects_failed++;
    closing_ = true;
  }
  ping_timer_.cancel();
  out_.clear();
  if (open_) {
    open_ = false;
    stats_.open--;
  }
}

void jmri_client::send(std::string_view frame) {
  if (!open_)
    return;
  out_.push_back(frame);
  if (!writing_)
    write_next();
}

void jmri_client::write_next() {
  if (out_.empty() || !open_) {
    writing_ = false;
    if (closing_ && open_ && !drained_for_close_) {
      drained_for_close_ = true;
      drained_for_close();
    }
    return;
  }
  writing_ = true;
  write(out_.front());
}

void jmri_client::written(boost::beast::error_code ec) {
  if (!out_.empty())
    out_.pop_front();
  if (ec) {
    // The read fails too and ends the connection.
    writing_ = false;
    return;
  }
  write_next();
}

void jmri_client::close() {
  boost::asio::dispatch(strand_, [self = shared_from_this()] {
    if (self->closing_)
      return;
    self->closing_ = true;
    self->ping_timer_.cancel();
    if (!self->open_) {
      // Still connecting: opened() or open_failed() follows.
      self->abort();
      return;
    }
    auto last = self->farewell();
    if (!last.empty())
      self->out_.push_back(last);
    if (!self->writing_)
      self->write_next();
  });
}

} // namespace signalbox::load
