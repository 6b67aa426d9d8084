// The node's RTOC directory (interfaces.hpp: rtoc_directory_actor): devices
// and signals by name and id, the connected clients and what they subscribed
// to. It runs each request of a connection key by key in RTOC's order
// (docs/rtoc.md), asking the signal and event actors where a key needs
// them, and answers the reply's text once every push the request caused has
// been sent.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <caf/actor_addr.hpp>

#include "actors/interfaces.hpp"
#include "protocols/rtoc/signal.hpp"

namespace signalbox::rtoc {

struct directory_settings {
  store_actor store;
  rtoc_events_actor events;
  uint64_t record_length = 500000;
  uint64_t max_signals = 10000;
  double start_time = 0;   // epoch seconds, for logger.info
  std::string config_json; // logger.info's "config" (no secrets)
  caf::timespan timeout;   // for the signal, event and store actors
  uint64_t boot = 0;       // the node's start count (sample sequences)
};

using sink_map = std::map<caf::actor_addr, rtoc_sink_actor>;

struct directory_state {
  struct signal_entry {
    int64_t id = 0;
    int64_t device_id = 0;
    std::string dname;
    std::string sname;
    std::string unit; // as stored in its record
    rtoc_signal_actor actor;
  };

  directory_settings cfg;
  std::map<int64_t, std::string> devices; // id -> name
  std::map<std::string, int64_t> device_ids;
  std::map<std::string, signal_entry> signals; // "Dev.Sig" -> signal
  // Ids in use, including signals whose removal is still under way (so
  // that a new signal cannot take an id whose samples are being deleted).
  std::map<int64_t, std::string> signal_ids;
  // The next sample's sequence number (records::sample_key): the node's
  // start count in the high half.
  uint64_t next_seq = 0;
  sink_map clients;
  std::map<std::string, sink_map> by_name; // subscriptions by signal name
  sink_map all_signals;                    // subscribeAll "signal"
  // Signals whose creation is not yet stored and announced, with what
  // waits for that: their samples and events must not overtake it.
  std::map<std::string, std::vector<std::function<void(const caf::error&)>>>
      announcing;

  static inline const char* name = "rtoc_directory";
};

using directory_pointer =
    rtoc_directory_actor::stateful_pointer<directory_state>;

/// `devices` and `signals` are what the store held at start-up.
rtoc_directory_actor::behavior_type
directory_behavior(directory_pointer self, directory_settings cfg,
                   std::vector<device_view> devices,
                   std::vector<signal_setup> signals);

} // namespace signalbox::rtoc
