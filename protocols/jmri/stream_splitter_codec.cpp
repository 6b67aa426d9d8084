// stream_splitter (see stream_splitter.hpp). The file name contains "codec"
// so that the build puts it into the core library with the other pure
// protocol code.
#include "protocols/jmri/stream_splitter.hpp"

namespace signalbox::jmri {

namespace {

bool is_whitespace(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/// Bytes that end a bare top-level token (and start something else).
bool ends_token(char ch) {
  return is_whitespace(ch) || ch == '{' || ch == '[' || ch == '"' ||
         ch == '}' || ch == ']' || ch == ',' || ch == ':';
}

} // namespace

stream_splitter::stream_splitter(size_t max_value_bytes)
    : max_value_bytes_(max_value_bytes) {
  // Nothing else to set up.
}

std::vector<std::string> stream_splitter::feed(std::string_view bytes) {
  std::vector<std::string> out;
  for (char ch : bytes) {
    if (failed())
      break;
    if (!step(ch, out) && !failed())
      step(ch, out); // the byte that ended a token starts the next value
  }
  return out;
}

bool stream_splitter::step(char ch, std::vector<std::string>& out) {
  bool string_closed = false;
  switch (state_) {
  case state::between:
    if (is_whitespace(ch))
      return true;
    if (ch == '}' || ch == ']' || ch == ',' || ch == ':') {
      fail(std::string{"unexpected '"} + ch +
           "' between JSON values: the stream cannot be resynchronised");
      return true;
    }
    if (ch == '{' || ch == '[') {
      state_ = state::container;
      depth_ = 1;
      in_string_ = false;
      escaped_ = false;
    } else if (ch == '"') {
      state_ = state::string;
      escaped_ = false;
    } else {
      state_ = state::token;
    }
    break;
  case state::container:
    if (in_string_) {
      if (escaped_)
        escaped_ = false;
      else if (ch == '\\')
        escaped_ = true;
      else if (ch == '"')
        in_string_ = false;
    } else if (ch == '"') {
      in_string_ = true;
    } else if (ch == '{' || ch == '[') {
      ++depth_;
    } else if (ch == '}' || ch == ']') {
      --depth_;
    }
    break;
  case state::string:
    if (escaped_)
      escaped_ = false;
    else if (ch == '\\')
      escaped_ = true;
    else if (ch == '"')
      string_closed = true;
    break;
  case state::token:
    if (ends_token(ch)) {
      complete(out);
      return false;
    }
    break;
  }
  current_.push_back(ch);
  if (current_.size() > max_value_bytes_) {
    fail("a JSON value exceeds the limit of " +
         std::to_string(max_value_bytes_) + " bytes");
    return true;
  }
  if (string_closed || (state_ == state::container && depth_ == 0))
    complete(out);
  return true;
}

void stream_splitter::complete(std::vector<std::string>& out) {
  out.push_back(std::move(current_));
  current_.clear();
  state_ = state::between;
  depth_ = 0;
}

void stream_splitter::fail(std::string why) {
  error_ = std::move(why);
  current_.clear();
  current_.shrink_to_fit();
}

} // namespace signalbox::jmri
