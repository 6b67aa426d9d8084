// The node's DDS side of realdds, on Fast-DDS: one domain participant, the
// notification writer (`<topic-root>/notification`) and the control reader
// (`<topic-root>/control`), both of realdds' `flexible` type. Fast-DDS stays
// behind this header: the rest of the interface sees bytes and callbacks.
//
// Discovery on one machine: when the node binds loopback (net.address
// 127.0.0.1, the default), the participant speaks UDPv4 on 127.0.0.1 only
// and finds its peers by unicast to 127.0.0.1 (the well-known ports of the
// first `max_peer_ids` participant ids of the domain), so it needs no
// multicast and no network beyond loopback. Otherwise it uses Fast-DDS'
// default transports and multicast discovery, plus `peers` (docs/realdds.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/realdds/control_codec.hpp"
#include "protocols/realdds/flexible_codec.hpp"

namespace signalbox::realdds {

struct dds_settings {
  uint32_t domain = 0;
  std::string topic_root;
  std::string participant_name;
  bool loopback_only = true;
  /// Addresses to announce the participant to (initial peers) besides
  /// multicast; with loopback_only, 127.0.0.1 is always one.
  std::vector<std::string> peers;
  /// Participant ids of each peer address tried (Fast-DDS'
  /// maxInitialPeersRange): how many participants of the domain a node finds
  /// on one host without multicast.
  uint32_t max_peer_ids = 32;
};

/// Called on Fast-DDS' threads: they must only hand the work on.
struct dds_callbacks {
  /// A reader of the notification topic matched (not one that left).
  std::function<void()> reader_matched;
  /// A control sample: its data (JSON text, or CBOR with `format` cbor) and
  /// which sample it was.
  std::function<void(data_format, std::string, sample_id)> control;
};

class dds_link {
public:
  /// Creates the participant, topics, writer and reader; nothing and an
  /// explanation in `error` when Fast-DDS refuses.
  static std::unique_ptr<dds_link> open(const dds_settings& settings,
                                        dds_callbacks callbacks,
                                        std::string& error);

  /// Deletes every entity (waits for Fast-DDS' callbacks to finish).
  ~dds_link();

  dds_link(const dds_link&) = delete;
  dds_link& operator=(const dds_link&) = delete;

  /// Writes one notification message; false when Fast-DDS refused it.
  bool write(data_format format, std::string_view data);

  /// Readers of the notification topic matched now.
  size_t readers() const;

  /// Whether a reader matched since the last call: it must get the
  /// initialization before anything else is written (realdds' rule).
  bool take_new_readers();

private:
  struct impl;
  explicit dds_link(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace signalbox::realdds
