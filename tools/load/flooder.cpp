#include "tools/load/flooder.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include "tools/load/tcp_connect.hpp"
#include "tools/load/ws_frames.hpp"

namespace signalbox::load {

namespace beast = boost::beast;

namespace {

/// A handshake answer longer than this is not one.
constexpr size_t max_head = 8 * 1024;

/// The key only asks the server to prove it speaks WebSocket; against our
/// own node a fixed one (RFC 6455's example) does that as well.
constexpr std::string_view upgrade_key = "dGhlIHNhbXBsZSBub25jZQ==";

std::string_view target_of(flooder_interface interface) {
  return interface == flooder_interface::jmri_ws ? "/json/" : "/";
}

std::string_view protocol_of(flooder_interface interface) {
  return interface == flooder_interface::realdds ? "realdds-json" : "";
}

/// How the node ended a connection, as a read or write error says it.
std::string reason_of(const beast::error_code& ec) {
  namespace error = boost::asio::error;
  if (ec == error::eof)
    return "eof";
  // Linux reports EPIPE for a reset that answers a write after the peer's
  // FIN: the node had closed its end in order.
  if (ec == error::broken_pipe)
    return "eof";
  if (ec == error::connection_reset)
    return "reset";
  return ec.message();
}

} // namespace

flooder::flooder(boost::asio::io_context& io,
                 boost::asio::ip::tcp::endpoint endpoint, flooder_config config,
                 run_stats& stats)
    : stream_(boost::asio::make_strand(io)), endpoint_(endpoint),
      cfg_(std::move(config)), stats_(stats),
      stop_timer_(stream_.get_executor()),
      reply_prefix_(flood_reply_prefix(cfg_.interface)) {
  if (flood_over_websocket(cfg_.interface))
    goodbye_ =
        ws::masked_frame(0x8, std::string_view{"\x03\xe8", 2}, flood_mask);
  else
    goodbye_ = R"({"type":"goodbye"})";
}

void flooder::connect() {
  connect_tcp(stream_, endpoint_, stats_,
              [self = shared_from_this()](beast::error_code ec) {
                self->on_connect(ec);
              });
}

void flooder::on_connect(beast::error_code ec) {
  if (ec || closing_) {
    stats_.connects_failed++;
    return;
  }
  if (flood_over_websocket(cfg_.interface)) {
    write_upgrade(); // within the connect's 10 s
    return;
  }
  stream_.expires_never();
  opened();
  if (cfg_.reads)
    read();
}

void flooder::write_upgrade() {
  handshake_ = ws::upgrade_request(cfg_.host, target_of(cfg_.interface),
                                   protocol_of(cfg_.interface), upgrade_key);
  boost::asio::async_write(
      stream_, boost::asio::buffer(handshake_),
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec || self->closing_) {
          self->stats_.connects_failed++;
          return;
        }
        self->read_upgrade();
      });
}

void flooder::read_upgrade() {
  stream_.async_read_some(
      boost::asio::buffer(in_.data() + in_used_, in_.size() - in_used_),
      [self = shared_from_this()](beast::error_code ec, size_t n) {
        if (ec || self->closing_) {
          self->stats_.connects_failed++;
          return;
        }
        self->on_upgrade_read(n);
      });
}

void flooder::on_upgrade_read(size_t bytes) {
  in_used_ += bytes;
  std::string_view got{in_.data(), in_used_};
  auto end = got.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (in_used_ >= max_head) {
      stats_.connects_failed++;
      stream_.close();
      return;
    }
    read_upgrade();
    return;
  }
  auto head = got.substr(0, end + 4);
  if (!ws::check_upgrade_response(head, upgrade_key).empty()) {
    stats_.connects_failed++;
    stream_.close();
    return;
  }
  stream_.expires_never();
  opened();
  if (!cfg_.reads)
    return;
  // Frames may have come with the answer.
  out_.bytes_read += got.size() - head.size();
  if (scan(got.substr(head.size())))
    read();
}

void flooder::opened() {
  open_ = true;
  out_.set_up = true;
  stats_.connects_made++;
  stats_.open++;
  stats_.ready++;
  // Asio's sockets are non-blocking inside already; said explicitly, as the
  // write loop relies on a write taking what fits and returning.
  beast::error_code ignored;
  stream_.socket().non_blocking(true, ignored);
}

void flooder::start(clock::time_point until) {
  boost::asio::dispatch(
      stream_.get_executor(), [self = shared_from_this(), until] {
        if (!self->open_ || self->closing_)
          return; // never connected: nothing to flood
        self->flooding_ = true;
        self->stop_timer_.expires_at(until);
        self->stop_timer_.async_wait([self](beast::error_code ec) {
          // The write in flight then finishes its request and stops.
          if (!ec)
            self->flooding_ = false;
        });
        self->write();
      });
}

size_t flooder::rest_of_request() const {
  auto into = pos_ % cfg_.requests->request_size;
  return into == 0 ? 0 : cfg_.requests->request_size - into;
}

void flooder::write() {
  if (writing_ || !open_ || closing_)
    return;
  auto& bytes = cfg_.requests->bytes;
  // The buffer from the current offset on, then from its start back to it:
  // every write offers the whole buffer.
  std::array<boost::asio::const_buffer, 2> next{
      boost::asio::buffer(bytes.data() + pos_, bytes.size() - pos_),
      boost::asio::buffer(bytes.data(), pos_)};
  if (!flooding_) {
    auto rest = rest_of_request();
    if (rest == 0)
      return; // the phase is over and the last request is whole
    next = {boost::asio::buffer(bytes.data() + pos_, rest),
            boost::asio::const_buffer{}};
  }
  writing_ = true;
  stream_.socket().async_write_some(
      next, [self = shared_from_this()](beast::error_code ec, size_t n) {
        self->on_written(ec, n);
      });
}

void flooder::on_written(beast::error_code ec, size_t bytes) {
  writing_ = false;
  out_.bytes_written += bytes;
  stats_.flooder_bytes_written += bytes;
  pos_ = (pos_ + bytes) % cfg_.requests->bytes.size();
  if (ec) {
    if (ec != boost::asio::error::operation_aborted)
      ended_by_node(reason_of(ec));
    return;
  }
  write();
}

void flooder::read() {
  stream_.socket().async_read_some(
      boost::asio::buffer(in_),
      [self = shared_from_this()](beast::error_code ec, size_t n) {
        self->on_read(ec, n);
      });
}

void flooder::on_read(beast::error_code ec, size_t bytes) {
  if (ec) {
    if (ec != boost::asio::error::operation_aborted)
      ended_by_node(reason_of(ec));
    return;
  }
  out_.bytes_read += bytes;
  if (scan({in_.data(), bytes}))
    read();
}

bool flooder::scan(std::string_view bytes) {
  auto replies = out_.replies;
  bool intact = true;
  std::string close_reason;
  bool closed = false;
  if (flood_over_websocket(cfg_.interface)) {
    intact = frames_.feed(bytes, [&](const ws_frame_scanner::frame& f) {
      if (f.opcode == 0x1 || f.opcode == 0x2)
        count_message(f.head);
      else if (f.opcode == 0x8 && !closed) {
        closed = true;
        close_reason = ws_close_reason(f.head);
      }
    });
  } else {
    intact = values_.feed(
        bytes, [this](std::string_view value) { count_message(value); });
  }
  stats_.flooder_replies += out_.replies - replies;
  if (closed) {
    // Ours is not echoed: the flooder may be in the middle of a request.
    ended_by_node(close_reason);
    return false;
  }
  if (!intact) {
    // Not what the node writes: a failure, unlike being closed.
    if (!closing_)
      stats_.dropped++;
    out_.close_reason = "unreadable stream";
    end();
    return false;
  }
  return true;
}

void flooder::count_message(std::string_view head) {
  ++out_.messages;
  if (head.substr(0, reply_prefix_.size()) == reply_prefix_)
    ++out_.replies;
}

void flooder::ended_by_node(const std::string& why) {
  if (!open_)
    return;
  if (!closing_) {
    out_.closed_by_node = true;
    out_.close_reason = why;
    out_.bytes_written_at_close = out_.bytes_written;
    stats_.flooders_closed++;
  }
  end();
}

void flooder::check_closed_quietly() {
  tcp_info info{};
  socklen_t size = sizeof info;
  if (getsockopt(stream_.socket().native_handle(), IPPROTO_TCP, TCP_INFO, &info,
                 &size) != 0)
    return;
  // The node's FIN leaves the socket in CLOSE_WAIT; a reset closes it.
  if (info.tcpi_state == TCP_CLOSE_WAIT)
    ended_by_node("eof");
  else if (info.tcpi_state == TCP_CLOSE)
    ended_by_node("reset");
}

void flooder::close() {
  boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (self->closing_)
      return;
    if (self->open_ && !self->cfg_.reads)
      self->check_closed_quietly();
    self->closing_ = true;
    self->stop_timer_.cancel();
    if (!self->open_) {
      self->stream_.close(); // a connect or handshake under way
      return;
    }
    // A polite close needs the stream at a request boundary and a node that
    // reads; else the connection is just let go.
    if (!self->cfg_.reads || self->writing_ || self->rest_of_request() != 0) {
      self->end();
      return;
    }
    self->polite_close();
  });
}

void flooder::polite_close() {
  // The node answers (a close frame, or its end of the JMRI goodbye) and
  // ends the connection, which the read loop sees.
  boost::asio::async_write(
      stream_.socket(), boost::asio::buffer(goodbye_),
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec)
          self->end();
      });
}

void flooder::end() {
  if (open_) {
    open_ = false;
    stats_.open--;
  }
  flooding_ = false;
  stop_timer_.cancel();
  beast::error_code ignored;
  stream_.socket().close(ignored);
}

flooder_outcome flooder::outcome() const {
  auto out = out_;
  out.requests_written = out.bytes_written / cfg_.requests->request_size;
  return out;
}

} // namespace signalbox::load
