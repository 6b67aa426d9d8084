// A notification subscriber: a WebSocket client of the node's ttmnotify
// stream (subprotocol `ttmnotify`, docs/api.md) or of its realdds mirror
// (subprotocol `realdds-json`, docs/realdds.md) that counts notifications,
// and for the value and GPIO changes this run's writers caused, measures
// the publish->delivery latency and checks every publisher's order. Each
// frame is parsed in place with a SAX reader (raw_ws_client.hpp moves
// them); a realdds message may combine several notifications in an array.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <rapidjson/reader.h>

#include "tools/load/gpio_timeline.hpp"
#include "tools/load/raw_ws_client.hpp"
#include "tools/load/stamp.hpp"
#include "tools/load/stats.hpp"

namespace signalbox::load {

/// Which stream a subscriber reads: its names for the same facts.
enum class notification_dialect { ttmnotify, realdds };

class ttm_subscriber : public raw_ws_client {
public:
  /// `publishers`: how many value writers stamp their writes (publisher ids
  /// 0..publishers-1); `lines`: the gpio lines this run toggles.
  ttm_subscriber(
      boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint,
      std::string host, std::string run_id, size_t publishers,
      std::vector<std::shared_ptr<gpio_timeline>> lines, run_stats& stats,
      notification_dialect dialect = notification_dialect::ttmnotify);

  /// After the run (io threads joined): the value writes received, per
  /// publisher, and what the order checks found.
  const sequence_checker& values() const { return values_; }
  /// Whether the subscription was set up (only those must see every write).
  bool subscribed() const { return subscribed_; }
  /// gpioupdates received for line `i` of the constructor's list.
  uint64_t gpio_received(size_t i) const { return gpio_seen_.at(i); }
  /// gpioupdates whose value did not alternate (a lost or repeated change).
  uint64_t gpio_sequence_errors() const { return gpio_errors_; }

protected:
  void on_open() override;
  void on_message(std::string_view frame) override;

private:
  /// The fields of a ttmnotify frame this client looks at.
  struct frame_fields {
    std::string cmd, key, text, gpio;
    int number = -1;
    bool has_text = false, has_number = false;
  };

  void handle(const frame_fields& f, uint64_t received);
  void handle_gpio(const std::string& line, int value);

  frame_fields fields_;
  rapidjson::Reader reader_;
  stamp stamp_;
  stamp_reader stamps_;
  std::string run_id_;
  sequence_checker values_;
  std::vector<std::shared_ptr<gpio_timeline>> lines_;
  std::unordered_map<std::string, size_t> line_index_;
  std::vector<uint64_t> gpio_seen_;
  std::vector<int> gpio_last_;
  uint64_t gpio_errors_ = 0;
  bool subscribed_ = false;
  notification_dialect dialect_;
};

} // namespace signalbox::load
