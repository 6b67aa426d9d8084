#include "tools/load/ttm_subscriber.hpp"

#include <rapidjson/document.h>

#include "tools/load/tcp_connect.hpp"

namespace signalbox::load {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

ttm_subscriber::ttm_subscriber(
    boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint,
    std::string host, std::string run_id, size_t publishers,
    std::vector<std::shared_ptr<gpio_timeline>> lines, run_stats& stats)
    : ws_(boost::asio::make_strand(io)), endpoint_(endpoint),
      host_(std::move(host)), run_id_(std::move(run_id)), stats_(stats),
      values_(publishers), lines_(std::move(lines)),
      gpio_seen_(lines_.size(), 0), gpio_last_(lines_.size(), -1) {
  for (size_t i = 0; i < lines_.size(); ++i)
    line_index_.emplace(lines_[i]->line(), i);
}

void ttm_subscriber::connect() {
  connect_tcp(beast::get_lowest_layer(ws_), endpoint_, stats_,
              [self = shared_from_this()](beast::error_code ec) {
                self->on_connect(ec);
              });
}

void ttm_subscriber::on_connect(beast::error_code ec) {
  if (ec || closing_) {
    stats_.connects_failed++;
    return;
  }
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(
      websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws_.set_option(
      websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(beast::http::field::sec_websocket_protocol, "ttmnotify");
      }));
  ws_.async_handshake(host_, "/",
                      [self = shared_from_this()](beast::error_code ec) {
                        self->on_handshake(ec);
                      });
}

void ttm_subscriber::on_handshake(beast::error_code ec) {
  if (ec || closing_) {
    stats_.connects_failed++;
    return;
  }
  open_ = true;
  subscribed_ = true;
  stats_.connects_made++;
  stats_.open++;
  // Subscribed from the first frame on: nothing else to set up.
  stats_.subscribers_ready++;
  stats_.ready++;
  read();
}

void ttm_subscriber::read() {
  ws_.async_read(
      buffer_, [self = shared_from_this()](beast::error_code ec, size_t bytes) {
        self->on_read(ec, bytes);
      });
}

void ttm_subscriber::on_read(beast::error_code ec, size_t) {
  if (ec) {
    if (!closing_)
      stats_.dropped++;
    open_ = false;
    stats_.open--;
    return;
  }
  auto data = buffer_.cdata();
  handle({static_cast<const char*>(data.data()), data.size()});
  buffer_.consume(buffer_.size());
  read();
}

void ttm_subscriber::handle(std::string_view frame) {
  auto received = now_ns();
  stats_.notifications++;
  rapidjson::Document doc;
  doc.Parse(frame.data(), frame.size());
  if (doc.HasParseError() || !doc.IsObject())
    return;
  auto cmd = doc.FindMember("cmd");
  if (cmd == doc.MemberEnd() || !cmd->value.IsString())
    return;
  std::string_view name{cmd->value.GetString(), cmd->value.GetStringLength()};
  if (name == "dbchange") {
    auto value = doc.FindMember("value");
    if (value == doc.MemberEnd() || !value->value.IsString())
      return;
    auto s = decode_stamp(
        {value->value.GetString(), value->value.GetStringLength()});
    // Values of other runs or other writers are not ours to check.
    if (!s || s->run != run_id_ || !values_.record(s->pub, s->seq))
      return;
    stats_.delivered++;
    if (received >= s->t_ns)
      stats_.ttm_delivery.record(received - s->t_ns);
  } else if (name == "gpioupdate") {
    auto gpio = doc.FindMember("gpio");
    auto value = doc.FindMember("value");
    if (gpio == doc.MemberEnd() || !gpio->value.IsString() ||
        value == doc.MemberEnd() || !value->value.IsInt())
      return;
    handle_gpio(gpio->value.GetString(), value->value.GetInt());
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
  boost::asio::dispatch(ws_.get_executor(), [self = shared_from_this()] {
    if (self->closing_)
      return;
    self->closing_ = true;
    if (!self->open_) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
      return;
    }
    self->ws_.async_close(websocket::close_code::normal,
                          [self](beast::error_code) {});
  });
}

} // namespace signalbox::load
