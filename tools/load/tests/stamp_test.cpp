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

CAF_TEST(members other than the four are skipped at any depth) {
  auto s = decode_stamp(R"({"x":{"run":1,"pub":[-1]},"run":"r","pub":1,)"
                        R"("seq":2,"y":[{"t":0.5}],"t":3,"z":null})");
  CAF_REQUIRE(s);
  CAF_CHECK_EQUAL(s->run, "r");
  CAF_CHECK_EQUAL(s->pub, 1u);
  CAF_CHECK_EQUAL(s->seq, 2u);
  CAF_CHECK_EQUAL(s->t_ns, 3u);
  // A field holding an object or array, or a publisher beyond 32 bits.
  CAF_CHECK(!decode_stamp(R"({"run":{},"pub":1,"seq":2,"t":3})"));
  CAF_CHECK(!decode_stamp(R"({"run":"r","pub":1,"seq":[2],"t":3})"));
  CAF_CHECK(!decode_stamp(R"({"run":"r","pub":4294967296,"seq":2,"t":3})"));
  CAF_CHECK(!decode_stamp(R"({"run":"r","pub":1,"seq":2,"t":null})"));
  // Of a repeated member the first counts, as a DOM lookup would find it.
  auto first = decode_stamp(R"({"run":"a","run":"b","pub":1,"seq":2,"t":3})");
  CAF_REQUIRE(first);
  CAF_CHECK_EQUAL(first->run, "a");
  CAF_CHECK(!decode_stamp(R"({"run":"r","pub":1,"seq":2,"t":"x","t":3})"));
}

CAF_TEST(a reader decodes one stamp after another) {
  stamp_reader r;
  stamp s;
  CAF_REQUIRE(r.read(encode_stamp({"run-one", 1, 10, 100}), s));
  CAF_CHECK_EQUAL(s.run, "run-one");
  CAF_CHECK(!r.read("not json", s));
  CAF_CHECK(!r.read(R"({"run":"r","pub":1,"seq":2})", s));
  CAF_REQUIRE(r.read(encode_stamp({"two", 2, 20, 200}), s));
  CAF_CHECK_EQUAL(s.run, "two");
  CAF_CHECK_EQUAL(s.pub, 2u);
  CAF_CHECK_EQUAL(s.seq, 20u);
  CAF_CHECK_EQUAL(s.t_ns, 200u);
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
