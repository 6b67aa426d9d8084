#include "hal/line_splitter.hpp"

#include <algorithm>

namespace signalbox::hal {

namespace {

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// The length a UTF-8 lead byte announces, 0 for a byte that cannot lead.
size_t sequence_length(unsigned char c) {
  if (c >= 0xC2 && c <= 0xDF)
    return 2;
  if (c >= 0xE0 && c <= 0xEF)
    return 3;
  if (c >= 0xF0 && c <= 0xF4)
    return 4;
  return 0;
}

} // namespace

size_t utf8_cut_position(std::string_view str, size_t max_bytes) {
  if (str.size() <= max_bytes)
    return str.size();
  if (max_bytes == 0 || !is_continuation(str[max_bytes]))
    return max_bytes;
  // str[max_bytes] continues a sequence: find its lead byte (at most three
  // bytes back) and cut before it if the sequence reaches past the cut.
  for (size_t back = 1; back <= 3 && back <= max_bytes; ++back) {
    auto pos = max_bytes - back;
    auto c = static_cast<unsigned char>(str[pos]);
    if (is_continuation(c))
      continue;
    auto len = sequence_length(c);
    // A cut that would leave nothing keeps the bytes instead: progress
    // matters more than a well-formed character with a 1-3 byte limit.
    if (len != 0 && pos + len > max_bytes && pos > 0)
      return pos;
    return max_bytes;
  }
  return max_bytes; // a run of stray continuation bytes: not UTF-8
}

line_splitter::line_splitter(size_t max_line_bytes)
    : max_(std::max<size_t>(max_line_bytes, 1)) {
  pending_.reserve(std::min<size_t>(max_, 256));
}

void line_splitter::emit(std::vector<std::string>& out) {
  if (!pending_.empty() && pending_.back() == '\r')
    pending_.pop_back();
  out.push_back(std::move(pending_));
  pending_.clear();
}

std::vector<std::string> line_splitter::feed(std::string_view bytes) {
  std::vector<std::string> out;
  while (!bytes.empty()) {
    auto nl = bytes.find('\n');
    if (discarding_) {
      if (nl == std::string_view::npos)
        break;
      discarding_ = false;
      bytes.remove_prefix(nl + 1);
      continue;
    }
    auto part = bytes.substr(0, nl); // the whole chunk when there is no '\n'
    auto room = max_ - pending_.size();
    if (part.size() > room) {
      // The line is too long. Keep one byte past the limit so that the cut
      // can see whether it would split a UTF-8 sequence, then emit the cut
      // line right away and skip the rest of it.
      pending_.append(part.substr(0, room + 1));
      pending_.resize(utf8_cut_position(pending_, max_));
      emit(out);
      discarding_ = true;
      bytes.remove_prefix(room + 1);
      continue;
    }
    pending_.append(part);
    if (nl == std::string_view::npos)
      break;
    emit(out);
    bytes.remove_prefix(nl + 1);
  }
  return out;
}

std::optional<std::string> line_splitter::finish() {
  auto was_discarding = discarding_;
  discarding_ = false;
  if (was_discarding || pending_.empty())
    return std::nullopt;
  std::vector<std::string> out;
  emit(out);
  return std::move(out.front());
}

} // namespace signalbox::hal
