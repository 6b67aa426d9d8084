// core/utf8: well-formed sequences, repair of what is not, and cuts that
// never split a sequence.
#define CAF_SUITE utf8

#include <string>

#include "core/utf8.hpp"
#include "fixture.hpp"

using namespace signalbox;

CAF_TEST(sequence lengths follow RFC 3629) {
  CAF_CHECK_EQUAL(utf8_sequence_length(""), 0u);
  CAF_CHECK_EQUAL(utf8_sequence_length("a"), 1u);
  CAF_CHECK_EQUAL(utf8_sequence_length("\xC3\xA9x"), 2u);
  CAF_CHECK_EQUAL(utf8_sequence_length("\xE2\x82\xAC"), 3u);
  CAF_CHECK_EQUAL(utf8_sequence_length("\xF0\x9F\x98\x80"), 4u);
  CAF_CHECK_EQUAL(utf8_sequence_length("\xF4\x8F\xBF\xBF"), 4u); // U+10FFFF
  CAF_CHECK_EQUAL(utf8_sequence_length("\xF4\x90\x80\x80"), 0u); // above
  CAF_CHECK_EQUAL(utf8_sequence_length("\xC0\xAF"), 0u);         // overlong
  CAF_CHECK_EQUAL(utf8_sequence_length("\xE0\x80\xAF"), 0u);     // overlong
  CAF_CHECK_EQUAL(utf8_sequence_length("\xED\xA0\x80"), 0u);     // surrogate
  CAF_CHECK_EQUAL(utf8_sequence_length("\x80"), 0u);             // continuation
  CAF_CHECK_EQUAL(utf8_sequence_length("\xC3"), 0u);             // truncated
  CAF_CHECK_EQUAL(utf8_sequence_length("\xE2\x28\xA1"), 0u);
  CAF_CHECK_EQUAL(utf8_sequence_length("\xFF"), 0u);
}

CAF_TEST(valid_utf8 checks whole texts) {
  // The node's one validator: WebSocket text, Engine.IO packets, shared
  // values, sd_notify STATUS.
  CAF_CHECK(valid_utf8(""));
  CAF_CHECK(valid_utf8("plain ascii, longer than eight bytes"));
  CAF_CHECK(valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  CAF_CHECK(valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  CAF_CHECK(!valid_utf8("\xF4\x90\x80\x80")); // above U+10FFFF
  CAF_CHECK(!valid_utf8("\xC0\xAF"));         // overlong '/'
  CAF_CHECK(!valid_utf8("\xE0\x80\xAF"));     // overlong
  CAF_CHECK(!valid_utf8("\xF0\x80\x80\xAF")); // overlong
  CAF_CHECK(!valid_utf8("\xED\xA0\x80"));     // surrogate U+D800
  CAF_CHECK(!valid_utf8("\x80"));             // lone continuation
  CAF_CHECK(!valid_utf8("\xC3"));             // truncated
  CAF_CHECK(!valid_utf8("\xE2\x82"));         // truncated
  CAF_CHECK(!valid_utf8("\xE2\x28\xA1"));     // bad continuation
  CAF_CHECK(!valid_utf8("\xFE"));
  // After an ASCII run of eight and more.
  CAF_CHECK(!valid_utf8("abcdefghij\xFF"));
  CAF_CHECK(valid_utf8("abcdefghij\xC3\xA9"));
}

CAF_TEST(repair replaces each invalid byte and keeps the rest) {
  CAF_CHECK_EQUAL(repaired_utf8("plain \xC3\xA9"), "plain \xC3\xA9");
  CAF_CHECK_EQUAL(repaired_utf8("a\xFF"
                                "b"),
                  "a\xEF\xBF\xBD"
                  "b");
  CAF_CHECK_EQUAL(repaired_utf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  CAF_CHECK_EQUAL(repaired_utf8(""), "");
}

CAF_TEST(floor never cuts inside a sequence) {
  std::string s = "a\xE2\x82\xAC"
                  "b"; // a, euro sign, b
  CAF_CHECK_EQUAL(utf8_floor(s, 10), 5u);
  CAF_CHECK_EQUAL(utf8_floor(s, 5), 5u);
  CAF_CHECK_EQUAL(utf8_floor(s, 4), 4u);
  CAF_CHECK_EQUAL(utf8_floor(s, 3), 1u);
  CAF_CHECK_EQUAL(utf8_floor(s, 2), 1u);
  CAF_CHECK_EQUAL(utf8_floor(s, 1), 1u);
  CAF_CHECK_EQUAL(utf8_floor(s, 0), 0u);
}

namespace {

/// Whether some continuation of `s` by up to 3 bytes is well-formed: the
/// reference for utf8_complete_prefix. The candidate bytes are the edges of
/// every range a second or later byte may be restricted to.
bool completable(const std::string& s) {
  static const unsigned char edges[] = {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF};
  if (valid_utf8(s))
    return true;
  std::string t = s;
  for (auto a : edges) {
    t.push_back(static_cast<char>(a));
    if (valid_utf8(t))
      return true;
    for (auto b : edges) {
      t.push_back(static_cast<char>(b));
      if (valid_utf8(t))
        return true;
      for (auto c : edges) {
        t.push_back(static_cast<char>(c));
        if (valid_utf8(t))
          return true;
        t.pop_back();
      }
      t.pop_back();
    }
    t.pop_back();
  }
  return false;
}

} // namespace

CAF_TEST(utf8_complete_prefix agrees with completability on short strings) {
  size_t wrong = 0;
  std::string s;
  auto compare = [&] {
    auto got = utf8_complete_prefix(s);
    bool expected = completable(s);
    bool ok = got.has_value() == expected;
    if (ok && got) {
      // The prefix is whole, and the rest is a started sequence.
      ok = *got <= s.size() && valid_utf8(s.substr(0, *got)) &&
           s.size() - *got < 4 && (*got == s.size() || !valid_utf8(s));
    }
    if (!ok && ++wrong <= 10)
      CAF_MESSAGE("utf8_complete_prefix wrong for a string of "
                  << s.size() << " bytes starting " << int(uint8_t(s[0])));
  };
  for (int a = 0; a < 256; ++a) {
    s.assign(1, static_cast<char>(a));
    compare();
    for (int b = 0; b < 256; ++b) {
      s.assign({static_cast<char>(a), static_cast<char>(b)});
      compare();
    }
  }
  // Three bytes: every lead from 0xE0 (the leads of longer sequences), all
  // second bytes, the third at the edges of its ranges and outside them.
  const int edges[] = {0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xFF};
  for (int a = 0xE0; a < 256; ++a)
    for (int b = 0; b < 256; ++b)
      for (auto c : edges) {
        s.assign(
            {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        compare();
      }
  CAF_CHECK_EQUAL(wrong, 0u);
}

CAF_TEST(utf8_complete_prefix counts whole sequences before a cut one) {
  CAF_CHECK(utf8_complete_prefix("") == std::optional<size_t>{0});
  CAF_CHECK(utf8_complete_prefix("abc") == std::optional<size_t>{3});
  CAF_CHECK(utf8_complete_prefix("ab\xe2\x82") == std::optional<size_t>{2});
  CAF_CHECK(utf8_complete_prefix("\xe2\x82\xac\xf0") ==
            std::optional<size_t>{3});
  CAF_CHECK(!utf8_complete_prefix("ab\xff"));
  CAF_CHECK(!utf8_complete_prefix("ab\xed\xa0")); // a surrogate
  CAF_CHECK(!utf8_complete_prefix("\xe2"
                                  "a"));                // cut by ASCII
  CAF_CHECK(!utf8_complete_prefix("\xe2\x82\xac\x80")); // stray continuation
}
