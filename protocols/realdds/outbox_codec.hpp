// What the node has to say on the realdds notification topic, cut into
// messages within realdds' bound (max_message_bytes), in both formats.
// Pure: the realdds actor feeds it and writes what it takes.
//
// The rules (realdds' notifications.md; docs/realdds.md):
// - log entries wait to be sent together as one `log` notification, until
//   the actor's log-flush timer (take), until another notification is
//   added (logs first: temporal order), or until the next entry would pass
//   the bound;
// - notifications pending together go out combined as one array of
//   objects (never nested; an array of one is the object itself), as many
//   per message as fit;
// - nothing passes the bound in either format: an entry too long for a
//   message of its own has its text cut, and its data says so
//   ("cut": true, "length": the text's length in bytes before the cut).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "protocols/realdds/message_codec.hpp"

namespace signalbox::realdds {

/// One entry of a `log` notification: [timestamp, type, text, data].
struct log_entry {
  uint64_t timestamp = 0; // ns since the epoch
  char type = 'I';        // one of "EWID"
  std::string text;       // any bytes: invalid UTF-8 becomes U+FFFD
  /// The members of `data`, all strings, in order; none: no `data`.
  std::vector<std::pair<std::string, std::string>> data;
};

class outbox {
public:
  explicit outbox(size_t max_bytes = max_message_bytes);

  /// Queues a log entry (closing the pending `log` notification first
  /// when this entry would take it past the bound).
  void add_log(const log_entry& entry);

  /// Queues a notification (an object), after the log entries pending,
  /// which close into a `log` notification stamped `now`. False (and
  /// nothing queued) when it alone passes the bound.
  bool add(encoded notification, uint64_t now);

  /// Whether anything but the open log entries is queued.
  bool has_finished() const { return !queue_.empty(); }

  /// Whether nothing at all is queued.
  bool empty() const { return queue_.empty() && entries_.empty(); }

  /// Everything queued but the open log entries, as messages in order.
  std::vector<encoded> take_finished();

  /// Everything queued, the open log entries closed into a `log`
  /// notification stamped `now`.
  std::vector<encoded> take(uint64_t now);

  /// Entries whose text was cut, and entries or notifications dropped
  /// because even cut they would not fit.
  uint64_t cut() const { return cut_; }
  uint64_t dropped() const { return dropped_; }

private:
  encoded entry_of(log_entry entry);
  bool fits(size_t json_entries, size_t cbor_entries, size_t n) const;
  void close_logs(uint64_t timestamp);

  size_t max_;
  std::vector<encoded> entries_; // of the open `log` notification
  size_t entries_json_ = 0;      // their JSON bytes
  size_t entries_cbor_ = 0;      // their CBOR bytes
  std::deque<encoded> queue_;    // closed `log` and other notifications
  uint64_t cut_ = 0;
  uint64_t dropped_ = 0;
};

} // namespace signalbox::realdds
