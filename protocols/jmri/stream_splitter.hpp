// The framing of JMRI's raw TCP JSON server: the client writes JSON texts
// back to back with no delimiter (JsonServer reads them with Jackson's
// readTree in a loop), so the reader must find where each value ends.
// Pure: bytes in, complete JSON texts out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace signalbox::jmri {

/// Splits a byte stream of concatenated JSON values into one string per
/// top-level value, across arbitrary chunk boundaries.
///
/// Rules:
/// - Whitespace (space, tab, CR, LF) between values is skipped; none is
///   needed: `{"a":1}{"b":2}` gives two values.
/// - An object or array ends at its matching close bracket. Brackets inside
///   strings (with escaped quotes and backslashes) do not count. The
///   splitter only counts nesting: a malformed value such as `{"a":[}]`
///   is still cut where its brackets balance and yielded, and the JSON
///   parser reports it (the session answers 500 and the stream goes on).
/// - A top-level string ends at its closing quote and is yielded.
/// - Any other top-level token (number, true, false, null, or a bare word)
///   runs until whitespace or one of `{ [ "`, and is yielded; it is not a
///   JSON object, so the session answers 500. Like Jackson, a token at the
///   very end of the input is only complete once a delimiter arrives (`12`
///   may still become `123`).
/// - A top-level `}`, `]`, `,` or `:` cannot start a value and leaves no
///   way to find the next one: failed(), the session closes the connection.
/// - A value longer than max_value_bytes: failed().
/// feed() still returns the values completed before the failure (the
/// session may answer them before closing); afterwards it ignores its input
/// and returns nothing.
class stream_splitter {
public:
  explicit stream_splitter(size_t max_value_bytes);

  /// Consumes `bytes` and returns the values completed by them, in order.
  std::vector<std::string> feed(std::string_view bytes);

  /// Whether the stream is broken (see the class comment).
  bool failed() const { return !error_.empty(); }

  /// Why the stream failed; "" while it has not.
  const std::string& error() const { return error_; }

  /// Bytes of the value read so far but not yet complete.
  size_t pending_bytes() const { return current_.size(); }

private:
  enum class state {
    between,   // skipping whitespace, waiting for the next value
    container, // inside an object or array
    string,    // inside a top-level string
    token,     // inside a top-level bare token
  };

  /// Handles one byte; appends to `out` when it completes a value. Returns
  /// false when the byte must be handled again in state `between` (it
  /// ended a bare token without belonging to it).
  bool step(char ch, std::vector<std::string>& out);

  void complete(std::vector<std::string>& out);

  void fail(std::string why);

  size_t max_value_bytes_;
  state state_ = state::between;
  std::string current_;
  size_t depth_ = 0;       // open brackets in a container
  bool in_string_ = false; // inside a string within a container
  bool escaped_ = false;   // the previous byte in a string was a backslash
  std::string error_;
};

} // namespace signalbox::jmri
