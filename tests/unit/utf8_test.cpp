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
