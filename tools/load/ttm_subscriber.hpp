// A ttmnotify subscriber: a WebSocket client (subprotocol `ttmnotify`, as
// docs/api.md describes) that counts notifications, and for the dbchange
// and gpioupdate frames this run's writers caused, measures the
// publish->delivery latency and checks every publisher's order.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "tools/load/client.hpp"
#include "tools/load/gpio_timeline.hpp"
#include "tools/load/stamp.hpp"
#include "tools/load/stats.hpp"

namespace signalbox::load {

class ttm_subscriber : public client,
                       public std::enable_shared_from_this<ttm_subscriber> {
public:
  /// `publishers`: how many value writers stamp their writes (publisher ids
  /// 0..publishers-1); `lines`: the gpio lines this run toggles.
  ttm_subscriber(boost::asio::io_context& io,
                 boost::asio::ip::tcp::endpoint endpoint, std::string host,
                 std::string run_id, size_t publishers,
                 std::vector<std::shared_ptr<gpio_timeline>> lines,
                 run_stats& stats);

  void connect() override;
  void close() override;

  /// After the run (io threads joined): the value writes received, per
  /// publisher, and what the order checks found.
  const sequence_checker& values() const { return values_; }
  /// Whether the subscription was set up (only those must see every write).
  bool subscribed() const { return subscribed_; }
  /// gpioupdates received for line `i` of the constructor's list.
  uint64_t gpio_received(size_t i) const { return gpio_seen_.at(i); }
  /// gpioupdates whose value did not alternate (a lost or repeated change).
  uint64_t gpio_sequence_errors() const { return gpio_errors_; }

private:
  void on_connect(boost::beast::error_code ec);
  void on_handshake(boost::beast::error_code ec);
  void read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void handle(std::string_view frame);
  void handle_gpio(const std::string& line, int value);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::string host_;
  std::string run_id_;
  run_stats& stats_;
  boost::beast::flat_buffer buffer_;
  sequence_checker values_;
  std::vector<std::shared_ptr<gpio_timeline>> lines_;
  std::unordered_map<std::string, size_t> line_index_;
  std::vector<uint64_t> gpio_seen_;
  std::vector<int> gpio_last_;
  uint64_t gpio_errors_ = 0;
  bool open_ = false;
  bool subscribed_ = false;
  bool closing_ = false;
};

} // namespace signalbox::load
