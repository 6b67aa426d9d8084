// Splits a byte stream (a job's stdout or stderr) into lines with a bounded
// length. Pure: no I/O, so that every edge case is unit-tested.
//
// - A line ends at '\n'; the '\n' is not part of it. A '\r' before it is
//   dropped too, so that CRLF output reads like LF output.
// - A line longer than `max_line_bytes` is cut: its first `max_line_bytes`
//   bytes (less, if that would split a UTF-8 sequence) are emitted as soon as
//   they are known, and the rest up to the next '\n' is discarded. The
//   splitter therefore never holds more than `max_line_bytes` bytes, however
//   long a line a process writes.
// - `finish` (at EOF) emits a final line that has no '\n'.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signalbox::hal {

class line_splitter {
public:
  /// `max_line_bytes` is at least 1 (0 is treated as 1).
  explicit line_splitter(size_t max_line_bytes);

  /// Consumes `bytes` and answers the lines they complete, in order.
  std::vector<std::string> feed(std::string_view bytes);

  /// Answers the pending partial line, if any (call once at EOF). The
  /// splitter is empty afterwards and may be reused.
  std::optional<std::string> finish();

  /// Bytes currently held for an incomplete line.
  size_t pending_bytes() const noexcept { return pending_.size(); }

private:
  void emit(std::vector<std::string>& out);

  size_t max_;
  std::string pending_;
  bool discarding_ = false; // the current line was cut; skip to '\n'
};

/// The longest prefix of `str` of at most `max_bytes` bytes that does not end
/// inside a UTF-8 multi-byte sequence. Bytes that are not valid UTF-8 are
/// treated as single characters, so that binary output is still cut at
/// exactly `max_bytes`.
size_t utf8_cut_position(std::string_view str, size_t max_bytes);

} // namespace signalbox::hal
