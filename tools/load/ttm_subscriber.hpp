// A ttmnotify subscriber: a WebSocket client (subprotocol `ttmnotify`, as
// docs/api.md describes) that counts notifications, and for the dbchange
// and gpioupdate frames this run's writers caused, measures the
// publish->delivery latency and checks every publisher's order.
//
// It frames the WebSocket itself (ws_frames.hpp): one read takes every frame
// the node has sent so far and each is parsed in place with a SAX reader, so
// that a generator core keeps up with far more deliveries than with Beast's
// stream. It answers the node's keep-alive pings.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <rapidjson/reader.h>

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
  /// The fields of a ttmnotify frame this client looks at.
  struct frame_fields {
    std::string cmd, key, text, gpio;
    int number = -1;
    bool has_text = false, has_number = false;
  };

  void on_connect(boost::beast::error_code ec);
  void on_handshake_written(boost::beast::error_code ec);
  void read_handshake();
  void on_handshake(std::string_view head);
  void read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  /// Handles every complete frame in the buffer; false when the connection
  /// must end (a frame no server sends).
  bool handle_frames();
  void handle(std::string_view frame);
  void handle_gpio(const std::string& line, int value);
  void write_control(uint8_t opcode, std::string_view payload);
  void flush_out();
  void drop();

  boost::beast::tcp_stream tcp_;
  std::string key_;
  std::string in_;      // bytes read and not yet parsed
  size_t in_used_ = 0;  // how many of in_ hold data
  std::string message_; // a fragmented message being assembled
  std::string out_;     // control frames waiting to be written
  bool writing_ = false;
  bool close_sent_ = false;
  frame_fields fields_;
  rapidjson::Reader reader_;
  stamp stamp_;
  stamp_reader stamps_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::string host_;
  std::string run_id_;
  run_stats& stats_;
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
