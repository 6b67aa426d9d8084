#define CAF_SUITE job_line_splitter
#include <string>
#include <vector>

#include "fixture.hpp"
#include "hal/line_splitter.hpp"

using namespace signalbox::hal;
using lines = std::vector<std::string>;

namespace {

// Feeds `chunks` one by one and collects every line, then the EOF line.
lines split(size_t max, const std::vector<std::string>& chunks) {
  line_splitter s{max};
  lines out;
  for (auto& chunk : chunks)
    for (auto& line : s.feed(chunk))
      out.push_back(line);
  if (auto last = s.finish())
    out.push_back(*last);
  return out;
}

} // namespace

CAF_TEST(complete lines are emitted without their newline) {
  line_splitter s{100};
  CAF_CHECK_EQUAL(s.feed("a\nbc\n"), (lines{"a", "bc"}));
  CAF_CHECK_EQUAL(s.pending_bytes(), 0u);
  CAF_CHECK(!s.finish());
}

CAF_TEST(a line split across chunks is joined) {
  line_splitter s{100};
  CAF_CHECK_EQUAL(s.feed("hel"), lines{});
  CAF_CHECK_EQUAL(s.pending_bytes(), 3u);
  CAF_CHECK_EQUAL(s.feed("lo wor"), lines{});
  CAF_CHECK_EQUAL(s.feed("ld\nnext"), lines{"hello world"});
  CAF_CHECK_EQUAL(s.pending_bytes(), 4u);
}

CAF_TEST(empty lines are lines) {
  CAF_CHECK_EQUAL(split(10, {"\n\na\n\n"}), (lines{"", "", "a", ""}));
}

CAF_TEST(the partial last line is flushed at EOF) {
  CAF_CHECK_EQUAL(split(10, {"a\nb"}), (lines{"a", "b"}));
  line_splitter s{10};
  s.feed("tail");
  auto last = s.finish();
  CAF_REQUIRE(last);
  CAF_CHECK_EQUAL(*last, "tail");
  CAF_CHECK(!s.finish()); // flushed once
}

CAF_TEST(nothing at EOF after a complete line or no input) {
  CAF_CHECK_EQUAL(split(10, {}), lines{});
  CAF_CHECK_EQUAL(split(10, {""}), lines{});
  CAF_CHECK_EQUAL(split(10, {"x\n"}), lines{"x"});
}

CAF_TEST(CRLF reads like LF and a lone CR inside a line stays) {
  CAF_CHECK_EQUAL(split(10, {"a\r\nb\r", "\n"}), (lines{"a", "b"}));
  CAF_CHECK_EQUAL(split(10, {"a\rb\n"}), lines{"a\rb"});
  CAF_CHECK_EQUAL(split(10, {"end\r"}), lines{"end"});
}

CAF_TEST(a line of exactly the limit is kept whole) {
  CAF_CHECK_EQUAL(split(5, {"12345\n6\n"}), (lines{"12345", "6"}));
  CAF_CHECK_EQUAL(split(5, {"12345\r\n"}), lines{"12345"});
  CAF_CHECK_EQUAL(split(5, {"12345"}), lines{"12345"});
}

CAF_TEST(a long line is cut and its rest skipped up to the newline) {
  CAF_CHECK_EQUAL(split(5, {"123456789\nok\n"}), (lines{"12345", "ok"}));
  // The cut part is emitted as soon as it is known, before the newline.
  line_splitter s{5};
  CAF_CHECK_EQUAL(s.feed("1234"), lines{});
  CAF_CHECK_EQUAL(s.feed("5678"), lines{"12345"});
  CAF_CHECK_EQUAL(s.pending_bytes(), 0u);
  CAF_CHECK_EQUAL(s.feed("more and more"), lines{});
  CAF_CHECK_EQUAL(s.pending_bytes(), 0u); // memory stays bounded
  CAF_CHECK_EQUAL(s.feed("x\nnext\n"), lines{"next"});
  CAF_CHECK(!s.finish());
}

CAF_TEST(a cut line at EOF is not emitted twice) {
  CAF_CHECK_EQUAL(split(3, {"abcdef"}), lines{"abc"});
}

CAF_TEST(a zero limit behaves like one byte) {
  CAF_CHECK_EQUAL(split(0, {"ab\nc\n"}), (lines{"a", "c"}));
}

CAF_TEST(the cut does not split a UTF - 8 character) {
  // "aé" is 61 C3 A9: a limit of 2 would split the é.
  CAF_CHECK_EQUAL(split(2, {"a\xC3\xA9x\n"}), lines{"a"});
  CAF_CHECK_EQUAL(split(3, {"a\xC3\xA9x\n"}), lines{"a\xC3\xA9"});
  // "€" is E2 82 AC.
  CAF_CHECK_EQUAL(split(3, {"a\xE2\x82\xAC\n"}), lines{"a"});
  CAF_CHECK_EQUAL(split(4, {"a\xE2\x82\xAC!\n"}), lines{"a\xE2\x82\xAC"});
}

CAF_TEST(utf8 cut positions) {
  CAF_CHECK_EQUAL(utf8_cut_position("abc", 5), 3u);
  CAF_CHECK_EQUAL(utf8_cut_position("abcdef", 3), 3u);
  CAF_CHECK_EQUAL(utf8_cut_position("abc", 0), 0u);
  // Two-byte sequence across the cut.
  CAF_CHECK_EQUAL(utf8_cut_position("a\xC3\xA9", 2), 1u);
  // Four-byte sequence (U+1F600 F0 9F 98 80) cut after 1, 2 and 3 bytes.
  std::string s = "ab\xF0\x9F\x98\x80z";
  CAF_CHECK_EQUAL(utf8_cut_position(s, 3), 2u);
  CAF_CHECK_EQUAL(utf8_cut_position(s, 4), 2u);
  CAF_CHECK_EQUAL(utf8_cut_position(s, 5), 2u);
  CAF_CHECK_EQUAL(utf8_cut_position(s, 6), 6u);
  // A sequence at the very start: cutting it away would leave nothing, so
  // the bytes are kept.
  CAF_CHECK_EQUAL(utf8_cut_position("\xF0\x9F\x98\x80", 2), 2u);
  // Not UTF-8: stray continuation bytes and binary are cut exactly.
  CAF_CHECK_EQUAL(utf8_cut_position("a\x80\x80\x80\x80\x80", 4), 4u);
  CAF_CHECK_EQUAL(utf8_cut_position("ab\xFF\x80", 3), 3u);
  // A lead byte whose sequence ends before the cut is not moved.
  CAF_CHECK_EQUAL(utf8_cut_position("\xC3\xA9\x80", 2), 2u);
}

CAF_TEST(binary output with NUL bytes passes through) {
  std::string in{"a\0b\n", 4};
  auto out = split(10, {in});
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_CHECK_EQUAL(out[0], std::string("a\0b", 3));
}

CAF_TEST(byte by byte feeding gives the same lines) {
  std::string text = "first\r\nsecond line is long\n\nlast";
  std::vector<std::string> chunks;
  for (auto c : text)
    chunks.emplace_back(1, c);
  CAF_CHECK_EQUAL(split(8, chunks), split(8, {text}));
  CAF_CHECK_EQUAL(split(8, chunks), (lines{"first", "second l", "", "last"}));
}
