#include "tools/load/raw_ws_client.hpp"

#include <algorithm>
#include <cstring>
#include <random>

#include <boost/asio/write.hpp>
#include <boost/beast/core/detail/base64.hpp>

#include "tools/load/tcp_connect.hpp"
#include "tools/load/ws_frames.hpp"

namespace signalbox::load {

namespace beast = boost::beast;

namespace {

/// The read buffer to start with; it doubles while a frame does not fit.
/// (10 000 idle subscribers hold 80 MiB of it.)
constexpr size_t read_chunk = 8 * 1024;

/// A handshake answer longer than this is not one.
constexpr size_t max_head = 8 * 1024;

/// Masking protects proxies from cache poisoning; against our own node a
/// fixed key is as good and costs nothing to pick.
constexpr uint32_t mask_key = 0x5a5a5a5a;

std::string random_key() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t nonce[2] = {rng(), rng()};
  std::string key(beast::detail::base64::encoded_size(sizeof nonce), '\0');
  key.resize(beast::detail::base64::encode(key.data(), nonce, sizeof nonce));
  return key;
}

} // namespace

raw_ws_client::raw_ws_client(boost::asio::io_context& io,
                             boost::asio::ip::tcp::endpoint endpoint,
                             std::string host, std::string target,
                             std::string protocol, run_stats& stats)
    : tcp_(boost::asio::make_strand(io)), endpoint_(endpoint),
      host_(std::move(host)), target_(std::move(target)),
      protocol_(std::move(protocol)), stats_(stats) {}

void raw_ws_client::connect() {
  connect_tcp(tcp_.tcp(), endpoint_, stats_,
              [self = shared_from_this()](beast::error_code ec) {
                if (ec) {
                  self->on_connect(ec);
                  return;
                }
                self->tcp_.async_handshake([self](beast::error_code tls_ec) {
                  self->on_connect(tls_ec);
                });
              });
}

void raw_ws_client::on_connect(beast::error_code ec) {
  if (ec || closing_) {
    stats_.connects_failed++;
    return;
  }
  // The handshake must finish within the connect's 10 s too.
  beast::error_code ignored;
  tcp_.tcp().socket().set_option(boost::asio::ip::tcp::no_delay{true}, ignored);
  key_ = random_key();
  writing_buffer_ = ws::upgrade_request(host_, target_, protocol_, key_);
  boost::asio::async_write(
      tcp_, boost::asio::buffer(writing_buffer_),
      [self = shared_from_this()](beast::error_code ec, size_t) {
        self->on_handshake_written(ec);
      });
}

void raw_ws_client::on_handshake_written(beast::error_code ec) {
  if (ec || closing_) {
    stats_.connects_failed++;
    return;
  }
  writing_buffer_.clear();
  in_.resize(read_chunk);
  read_handshake();
}

void raw_ws_client::read_handshake() {
  tcp_.async_read_some(
      boost::asio::buffer(in_.data() + in_used_, in_.size() - in_used_),
      [self = shared_from_this()](beast::error_code ec, size_t n) {
        if (ec || self->closing_) {
          self->stats_.connects_failed++;
          return;
        }
        self->in_used_ += n;
        std::string_view got{self->in_.data(), self->in_used_};
        auto end = got.find("\r\n\r\n");
        if (end != std::string_view::npos) {
          self->on_handshake(got.substr(0, end + 4));
          return;
        }
        if (self->in_used_ >= max_head) {
          self->stats_.connects_failed++;
          return;
        }
        self->read_handshake();
      });
}

void raw_ws_client::on_handshake(std::string_view head) {
  if (!ws::check_upgrade_response(head, key_).empty()) {
    stats_.connects_failed++;
    tcp_.close();
    return;
  }
  // Frames may have come in the same read as the answer.
  auto rest = in_used_ - head.size();
  std::memmove(in_.data(), in_.data() + head.size(), rest);
  in_used_ = rest;
  tcp_.tcp().expires_never();
  open_ = true;
  stats_.connects_made++;
  stats_.open++;
  on_open();
  if (!open_ || !handle_frames())
    return;
  read();
}

void raw_ws_client::read() {
  if (in_.size() - in_used_ < read_chunk / 4)
    in_.resize(std::max(in_.size() * 2, in_used_ + read_chunk));
  // Plain: straight from the socket (no timer to service per read).
  auto on_read = [self = shared_from_this()](beast::error_code ec,
                                             size_t bytes) {
    self->on_read(ec, bytes);
  };
  auto space =
      boost::asio::buffer(in_.data() + in_used_, in_.size() - in_used_);
  if (tcp_.secure())
    tcp_.async_read_some(space, std::move(on_read));
  else
    tcp_.tcp().socket().async_read_some(space, std::move(on_read));
}

void raw_ws_client::on_read(beast::error_code ec, size_t bytes) {
  if (ec) {
    drop();
    return;
  }
  in_used_ += bytes;
  if (!handle_frames())
    return;
  read();
}

bool raw_ws_client::handle_frames() {
  size_t pos = 0;
  while (open_) {
    auto f = ws::parse_server_frame({in_.data() + pos, in_used_ - pos});
    if (f.state == ws::server_frame::status::incomplete)
      break;
    if (f.state == ws::server_frame::status::invalid) {
      drop();
      return false;
    }
    pos += f.consumed;
    switch (f.opcode) {
    case 0x1: // text
    case 0x2: // binary
      if (f.fin)
        on_message(f.payload);
      else
        message_.assign(f.payload);
      break;
    case 0x0: // continuation
      message_.append(f.payload);
      if (f.fin) {
        on_message(message_);
        message_.clear();
      }
      break;
    case 0x9: // ping: answered, as every client must
      write_frame(0xA, f.payload);
      break;
    case 0x8: // close: echo its code; the node then ends the connection
      if (!close_sent_)
        write_frame(0x8, f.payload.substr(0, 2));
      break;
    default:
      break;
    }
  }
  if (!open_)
    return false; // on_message dropped the connection
  // Keep the unparsed tail at the front for the next read.
  if (pos > 0) {
    std::memmove(in_.data(), in_.data() + pos, in_used_ - pos);
    in_used_ -= pos;
  }
  return true;
}

void raw_ws_client::send_text(std::string_view payload) {
  if (closing_)
    return;
  write_frame(0x1, payload);
}

void raw_ws_client::write_frame(uint8_t opcode, std::string_view payload) {
  if (close_sent_ || !open_)
    return; // nothing may follow a close
  close_sent_ = opcode == 0x8;
  ws::append_masked_frame(out_, opcode, payload, mask_key);
  flush_out();
}

void raw_ws_client::flush_out() {
  if (writing_ || out_.empty())
    return;
  writing_ = true;
  // Two buffers swap roles: what is queued while one is written goes out
  // with the next write, and neither is reallocated once grown.
  std::swap(out_, writing_buffer_);
  out_.clear();
  auto on_written = [self = shared_from_this()](beast::error_code ec, size_t) {
    self->writing_ = false;
    self->writing_buffer_.clear();
    if (!ec)
      self->flush_out(); // what was queued meanwhile
  };
  if (tcp_.secure())
    boost::asio::async_write(tcp_, boost::asio::buffer(writing_buffer_),
                             std::move(on_written));
  else
    boost::asio::async_write(tcp_.tcp().socket(),
                             boost::asio::buffer(writing_buffer_),
                             std::move(on_written));
}

void raw_ws_client::drop() {
  if (open_ && !closing_)
    stats_.dropped++;
  end();
}

void raw_ws_client::abandon_setup() {
  if (open_)
    stats_.connects_failed++;
  end();
}

void raw_ws_client::end() {
  if (!open_)
    return;
  open_ = false;
  stats_.open--;
  tcp_.close();
}

void raw_ws_client::close() {
  boost::asio::dispatch(tcp_.get_executor(), [self = shared_from_this()] {
    if (self->closing_)
      return;
    self->closing_ = true;
    if (!self->open_) {
      self->tcp_.close();
      return;
    }
    // Our close (1000); the node answers with its own and ends the
    // connection, which the read loop sees.
    self->write_frame(0x8, std::string_view{"\x03\xe8", 2});
  });
}

} // namespace signalbox::load
