#define CAF_SUITE load_stamp

#include <caf/test/unit_test.hpp>

#include "tools/load/stamp.hpp"

using namespace signalbox::load;

CAF_TEST(stamps survive encoding) {
  stamp s{"a\"b\\c", 7, 18446744073709551615u, 123456789012345};
  auto text = encode_stamp(s);
  CAF_CHECK_EQUAL(text, R"({"run":"a\"b\\c","pub":7,)"
                        R"("seq":18446744073709551615,"t":123456789012345})");
  auto back = decode_stamp(text);
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->run, s.run);
  CAF_CHECK_EQUAL(back->pub, 7u);
  CAF_CHECK_EQUAL(back->seq, s.seq);
  CAF_CHECK_EQUAL(back->t_ns, s.t_ns);
}

CAF_TEST(anything else is not a stamp) {
  CAF_CHECK(!decode_stamp(""));
  CAF_CHECK(!decode_stamp("hello"));
  CAF_CHECK(!decode_stamp("[]"));
  CAF_CHECK(!decode_stamp(R"({"run":"r","pub":1,"seq":2})"));
  CAF_CHECK(!decode_stamp(R"({"pub":1,"seq":2,"t":3})"));
  CAF_CHECK(!decode_stamp(R"({"run":1,"pub":1,"seq":2,"t":3})"));
  CAF_CHECK(!decode_stamp(R"({"run":"r","pub":-1,"seq":2,"t":3})"));
  CAF_CHECK(!decode_stamp(R"({"run":"r","pub":1,"seq":"2","t":3})"));
  CAF_CHECK(!decode_stamp(R"({"run":"r","pub":1,"seq":2,"t":3.5})"));
  CAF_CHECK(!decode_stamp(R"({"run":"r","pub":1,"seq":2,"t":3)"));
  CAF_CHECK(decode_stamp(R"({"t":3,"seq":2,"pub":1,"run":"r","x":0})"));
}

CAF_TEST(in order sequences are clean) {
  sequence_checker c{2};
  for (uint64_t i = 1; i <= 5; ++i) {
    CAF_CHECK(c.record(0, i));
    CAF_CHECK(c.record(1, i));
  }
  CAF_CHECK_EQUAL(c.received(0), 5u);
  CAF_CHECK_EQUAL(c.received(1), 5u);
  CAF_CHECK_EQUAL(c.out_of_order(), 0u);
  CAF_CHECK_EQUAL(c.gaps(), 0u);
  CAF_CHECK_EQUAL(c.publishers(), 2u);
}

CAF_TEST(gaps late arrivals and duplicates are told apart) {
  sequence_checker c{1};
  c.record(0, 1);
  c.record(0, 4); // 2 and 3 skipped
  CAF_CHECK_EQUAL(c.gaps(), 2u);
  CAF_CHECK_EQUAL(c.received(0), 2u);
  c.record(0, 2); // late
  CAF_CHECK_EQUAL(c.out_of_order(), 1u);
  c.record(0, 4); // duplicate
  CAF_CHECK_EQUAL(c.out_of_order(), 2u);
  // Late and duplicated messages do not count as received: "lost" is
  // computed from received, so a reordering is not also hidden loss.
  CAF_CHECK_EQUAL(c.received(0), 2u);
  c.record(0, 5);
  CAF_CHECK_EQUAL(c.received(0), 3u);
  CAF_CHECK_EQUAL(c.gaps(), 2u);
}

CAF_TEST(unknown publishers are ignored) {
  sequence_checker c{1};
  CAF_CHECK(!c.record(1, 1));
  CAF_CHECK_EQUAL(c.received(0), 0u);
  CAF_CHECK_EQUAL(c.out_of_order(), 0u);
  sequence_checker none;
  CAF_CHECK(!none.record(0, 1));
}
