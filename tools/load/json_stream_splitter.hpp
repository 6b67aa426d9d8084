// The framing of the node's raw TCP JMRI stream (docs/jmri.md): JSON objects
// written back to back with no delimiter, so the reader must find where each
// one ends. Pure: bytes in, complete objects out. The node's own splitter is
// not reused on purpose: the load generator checks the node from the outside
// and links none of its code.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace signalbox::load {

/// Splits a byte stream of concatenated JSON objects (or arrays) into one
/// text per top-level value, across arbitrary read boundaries.
///
/// It counts brackets only, ignoring those inside strings (with escaped
/// quotes and backslashes); whether a value is valid JSON is for the parser
/// to say. Whitespace between values is skipped. Anything else at top level,
/// or a value longer than max_value_bytes, breaks the stream for good:
/// failed() then says so and feed() ignores its input.
///
/// A value that lies within one chunk is handed out as a view into that
/// chunk, without copying; only a value split across reads is assembled in
/// a buffer, whose capacity is kept for the next one.
class json_stream_splitter {
public:
  explicit json_stream_splitter(size_t max_value_bytes = 1 << 20)
      : max_value_bytes_(max_value_bytes) {}

  /// Consumes `bytes`, calling `on_value(std::string_view)` for every value
  /// they complete, in order. The view is valid during the call only.
  /// Returns !failed().
  template <class OnValue>
  bool feed(std::string_view bytes, OnValue&& on_value) {
    size_t pos = 0;
    while (!failed() && pos < bytes.size()) {
      auto p = scan(bytes, pos);
      if (failed())
        break;
      auto piece = bytes.substr(p.begin, p.end - p.begin);
      if (pending_.size() + piece.size() > max_value_bytes_) {
        fail("a value longer than " + std::to_string(max_value_bytes_) +
             " bytes");
        break;
      }
      if (!p.complete) {
        pending_.append(piece);
        break;
      }
      if (pending_.empty()) {
        on_value(piece);
      } else {
        pending_.append(piece);
        on_value(std::string_view{pending_});
        pending_.clear();
      }
      pos = p.end;
    }
    return !failed();
  }

  bool failed() const { return !error_.empty(); }

  /// Why the stream broke; "" while it has not.
  const std::string& error() const { return error_; }

  /// Bytes of a value begun but not yet complete.
  size_t pending_bytes() const { return pending_.size(); }

private:
  /// Where the value being read starts and ends within one chunk.
  struct piece {
    size_t begin;
    size_t end;
    bool complete;
  };

  /// Skips whitespace before a value, then reads on until the value ends
  /// (complete) or the chunk does.
  piece scan(std::string_view bytes, size_t pos);

  void fail(std::string why) { error_ = std::move(why); }

  size_t max_value_bytes_;
  std::string pending_;
  size_t depth_ = 0;       // open brackets; 0 between values
  bool in_string_ = false; // inside a string of the current value
  bool escaped_ = false;   // the previous byte in a string was a backslash
  std::string error_;
};

} // namespace signalbox::load
