#include "tools/load/ttm_subscriber.hpp"

#include <algorithm>
#include <cstring>
#include <random>

#include <boost/asio/write.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <rapidjson/memorystream.h>

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

/// Fills the fields of a ttmnotify frame (the root object's cmd, key,
/// value, gpio) from SAX events, into strings the subscriber keeps: no DOM
/// and, once the strings have grown, no allocation per frame.
template <class Fields>
class frame_handler
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>,
                                          frame_handler<Fields>> {
public:
  explicit frame_handler(Fields& out) : out_(out) {}

  bool StartObject() { return ++depth_, true; }
  bool EndObject(rapidjson::SizeType) { return --depth_, true; }
  bool StartArray() { return ++depth_, true; }
  bool EndArray(rapidjson::SizeType) { return --depth_, true; }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    // The reader's copy of the name is gone by the next event: keep which
    // member it is, not the text.
    if (depth_ == 1) {
      std::string_view name{s, n};
      key_ = name == "cmd"     ? member::cmd
             : name == "key"   ? member::key
             : name == "gpio"  ? member::gpio
             : name == "value" ? member::value
                               : member::other;
    }
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ != 1)
      return true;
    if (key_ == member::cmd)
      out_.cmd.assign(s, n);
    else if (key_ == member::key)
      out_.key.assign(s, n);
    else if (key_ == member::gpio)
      out_.gpio.assign(s, n);
    else if (key_ == member::value) {
      out_.text.assign(s, n);
      out_.has_text = true;
    }
    return true;
  }
  bool Int(int v) { return number(v); }
  bool Uint(unsigned v) { return number(static_cast<int>(v)); }
  bool Default() { return true; }

private:
  bool number(int v) {
    if (depth_ == 1 && key_ == member::value) {
      out_.number = v;
      out_.has_number = true;
    }
    return true;
  }

  enum class member { other, cmd, key, gpio, value };

  Fields& out_;
  int depth_ = 0;
  member key_ = member::other;
};

std::string random_key() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t nonce[2] = {rng(), rng()};
  std::string key(beast::detail::base64::encoded_size(sizeof nonce), '\0');
  key.resize(beast::detail::base64::encode(key.data(), nonce, sizeof nonce));
  return key;
}

} // namespace

ttm_subscriber::ttm_subscriber(
    boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint,
    std::string host, std::string run_id, size_t publishers,
    std::vector<std::shared_ptr<gpio_timeline>> lines, run_stats& stats)
    : tcp_(boost::asio::make_strand(io)), endpoint_(endpoint),
      host_(std::move(host)), run_id_(std::move(run_id)), stats_(stats),
      values_(publishers), lines_(std::move(lines)),
      gpio_seen_(lines_.size(), 0), gpio_last_(lines_.size(), -1) {
  for (size_t i = 0; i < lines_.size(); ++i)
    line_index_.emplace(lines_[i]->line(), i);
}

void ttm_subscriber::connect() {
  connect_tcp(tcp_, endpoint_, stats_,
              [self = shared_from_this()](beast::error_code ec) {
                self->on_connect(ec);
              });
}

void ttm_subscriber::on_connect(beast::error_code ec) {
  if (ec || closing_) {
    stats_.connects_failed++;
    return;
  }
  // The handshake must finish within the connect's 10 s too.
  beast::error_code ignored;
  tcp_.socket().set_option(boost::asio::ip::tcp::no_delay{true}, ignored);
  key_ = random_key();
  out_ = ws::upgrade_request(host_, "/", "ttmnotify", key_);
  boost::asio::async_write(
      tcp_, boost::asio::buffer(out_),
      [self = shared_from_this()](beast::error_code ec, size_t) {
        self->on_handshake_written(ec);
      });
}

void ttm_subscriber::on_handshake_written(beast::error_code ec) {
  if (ec || closing_) {
    stats_.connects_failed++;
    return;
  }
  out_.clear();
  in_.resize(read_chunk);
  read_handshake();
}

void ttm_subscriber::read_handshake() {
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

void ttm_subscriber::on_handshake(std::string_view head) {
  if (!ws::check_upgrade_response(head, key_).empty()) {
    stats_.connects_failed++;
    beast::error_code ignored;
    tcp_.socket().close(ignored);
    return;
  }
  // Frames may have come in the same read as the answer.
  auto rest = in_used_ - head.size();
  std::memmove(in_.data(), in_.data() + head.size(), rest);
  in_used_ = rest;
  tcp_.expires_never();
  open_ = true;
  subscribed_ = true;
  stats_.connects_made++;
  stats_.open++;
  // Subscribed from the first frame on: nothing else to set up.
  stats_.subscribers_ready++;
  stats_.ready++;
  if (!handle_frames())
    return;
  read();
}

void ttm_subscriber::read() {
  if (in_.size() - in_used_ < read_chunk / 4)
    in_.resize(std::max(in_.size() * 2, in_used_ + read_chunk));
  tcp_.socket().async_read_some(
      boost::asio::buffer(in_.data() + in_used_, in_.size() - in_used_),
      [self = shared_from_this()](beast::error_code ec, size_t bytes) {
        self->on_read(ec, bytes);
      });
}

void ttm_subscriber::on_read(beast::error_code ec, size_t bytes) {
  if (ec) {
    drop();
    return;
  }
  in_used_ += bytes;
  if (!handle_frames())
    return;
  read();
}

bool ttm_subscriber::handle_frames() {
  size_t pos = 0;
  for (;;) {
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
      if (f.fin) {
        handle(f.payload);
      } else {
        message_.assign(f.payload);
      }
      break;
    case 0x0: // continuation
      message_.append(f.payload);
      if (f.fin) {
        handle(message_);
        message_.clear();
      }
      break;
    case 0x9: // ping: answered, as every client must
      write_control(0xA, f.payload);
      break;
    case 0x8: // close: echo its code; the node then ends the connection
      if (!close_sent_)
        write_control(0x8, f.payload.substr(0, 2));
      break;
    default:
      break;
    }
  }
  // Keep the unparsed tail at the front for the next read.
  if (pos > 0) {
    std::memmove(in_.data(), in_.data() + pos, in_used_ - pos);
    in_used_ -= pos;
  }
  return true;
}

void ttm_subscriber::write_control(uint8_t opcode, std::string_view payload) {
  if (close_sent_)
    return; // nothing may follow a close
  close_sent_ = opcode == 0x8;
  out_ += ws::masked_frame(opcode, payload, 0x5a5a5a5a);
  flush_out();
}

void ttm_subscriber::flush_out() {
  if (writing_ || out_.empty())
    return;
  writing_ = true;
  auto pending = std::make_shared<std::string>(std::move(out_));
  out_.clear();
  boost::asio::async_write(
      tcp_.socket(), boost::asio::buffer(*pending),
      [self = shared_from_this(), pending](beast::error_code ec, size_t) {
        self->writing_ = false;
        if (!ec)
          self->flush_out(); // what was queued meanwhile
      });
}

void ttm_subscriber::drop() {
  if (!open_)
    return;
  if (!closing_)
    stats_.dropped++;
  open_ = false;
  stats_.open--;
  beast::error_code ignored;
  tcp_.socket().close(ignored);
}

void ttm_subscriber::handle(std::string_view frame) {
  auto received = now_ns();
  stats_.notifications++;
  auto& f = fields_;
  f.cmd.clear();
  f.has_text = f.has_number = false;
  frame_handler<frame_fields> handler{f};
  rapidjson::MemoryStream in{frame.data(), frame.size()};
  if (reader_.Parse(in, handler).IsError())
    return;
  if (f.cmd == "dbchange") {
    if (!f.has_text)
      return;
    // Values of other runs or other writers are not ours to check.
    if (!stamps_.read(f.text, stamp_) || stamp_.run != run_id_ ||
        !values_.record(stamp_.pub, stamp_.seq))
      return;
    stats_.delivered++;
    if (received >= stamp_.t_ns)
      stats_.ttm_delivery.record(received - stamp_.t_ns);
  } else if (f.cmd == "gpioupdate") {
    if (f.gpio.empty() || !f.has_number)
      return;
    handle_gpio(f.gpio, f.number);
  }
}

void ttm_subscriber::handle_gpio(const std::string& line, int value) {
  auto it = line_index_.find(line);
  if (it == line_index_.end())
    return;
  auto i = it->second;
  auto received = now_ns();
  // Every change flips the line: the same value twice in a row means a
  // change in between was not reported.
  int previous = gpio_last_[i] < 0 ? lines_[i]->initial() : gpio_last_[i];
  if (value == previous)
    ++gpio_errors_;
  gpio_last_[i] = value;
  auto k = ++gpio_seen_[i];
  stats_.delivered++;
  stats_.gpio_delivered++;
  if (auto sent = lines_[i]->sent_at(k); sent && received >= *sent)
    stats_.ttm_delivery.record(received - *sent);
}

void ttm_subscriber::close() {
  boost::asio::dispatch(tcp_.get_executor(), [self = shared_from_this()] {
    if (self->closing_)
      return;
    self->closing_ = true;
    if (!self->open_) {
      beast::error_code ignored;
      self->tcp_.socket().close(ignored);
      return;
    }
    // Our close (1000); the node answers with its own and ends the
    // connection, which the read loop sees.
    self->write_control(0x8, std::string_view{"\x03\xe8", 2});
  });
}

} // namespace signalbox::load
