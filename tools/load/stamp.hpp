// The stamp every publisher puts into what it sends (a shared value, a
// relayed command text) so that receivers can measure latency and detect
// loss and reordering: {"run":"<run id>","pub":<publisher>,"seq":<n>,
// "t":<steady_clock ns>}. Publisher and receivers run in this process, so
// one steady clock serves both ends. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/reader.h>

namespace signalbox::load {

struct stamp {
  std::string run;
  uint32_t pub = 0;
  uint64_t seq = 0;
  /// steady_clock::now() in ns since its epoch, taken just before sending.
  uint64_t t_ns = 0;
};

/// The JSON text of a stamp.
std::string encode_stamp(const stamp& s);

/// A stamp from its JSON text; nothing when `text` is not one.
std::optional<stamp> decode_stamp(std::string_view text);

/// Decodes stamps like decode_stamp, but into a stamp the caller keeps, so
/// that a receiver decoding one per message allocates nothing once its
/// buffers (the parser's stack, the run id) have grown: a SAX parse, no DOM.
/// Not thread safe; one per receiver.
class stamp_reader {
public:
  /// Fills `out` from `text`; false when `text` is not a stamp (`out` is
  /// then partly overwritten). A stamp is a JSON object with the members
  /// run (string), pub (uint32), seq and t (uint64); others are ignored,
  /// and of a repeated member the first counts.
  bool read(std::string_view text, stamp& out);

private:
  rapidjson::Reader reader_;
};

/// Checks the sequence numbers one receiver gets from each publisher
/// (numbered 1, 2, 3, ... per publisher). Pure bookkeeping.
class sequence_checker {
public:
  explicit sequence_checker(size_t publishers = 0)
      : last_(publishers, 0), received_(publishers, 0) {}

  /// Records `seq` from `pub`; false when it is a publisher this checker
  /// does not know.
  bool record(uint32_t pub, uint64_t seq) {
    if (pub >= last_.size())
      return false;
    if (seq <= last_[pub]) {
      // Older than or equal to what was seen: late or duplicated.
      ++out_of_order_;
      return true;
    }
    if (seq != last_[pub] + 1)
      gaps_ += seq - last_[pub] - 1;
    last_[pub] = seq;
    ++received_[pub];
    return true;
  }

  /// Messages received in order (or after a gap) from `pub`.
  uint64_t received(uint32_t pub) const { return received_.at(pub); }
  /// Messages that arrived after a later one of the same publisher.
  uint64_t out_of_order() const { return out_of_order_; }
  /// Numbers skipped so far (they may still be missing at the end).
  uint64_t gaps() const { return gaps_; }
  size_t publishers() const { return last_.size(); }

private:
  std::vector<uint64_t> last_;
  std::vector<uint64_t> received_;
  uint64_t out_of_order_ = 0;
  uint64_t gaps_ = 0;
};

} // namespace signalbox::load
