// protocols/realdds/flexible_codec: realdds' `flexible` sample in CDR (as
// Fast-DDS' generated type support for flexible.idl lays it out) and the
// GUID text of a reply's `sample`, as realdds' print_raw_guid writes it.
#define CAF_SUITE realdds_flexible

#include <string>

#include "fixture.hpp"
#include "protocols/realdds/flexible_codec.hpp"

using namespace signalbox::realdds;

namespace {

std::string write(data_format f, std::string_view data) {
  std::string out(flexible_overhead + data.size(), '\0');
  out.resize(write_flexible(f, data, out.data()));
  return out;
}

} // namespace

CAF_TEST(a sample is little endian CDR with its encapsulation) {
  auto bytes = write(data_format::cbor, "ab");
  // CDR_LE, options 0; format 1; version 0.0.0.0; length 2; the data.
  CAF_CHECK_EQUAL(bytes, std::string("\x00\x01\x00\x00"
                                     "\x01\x00\x00\x00"
                                     "\x00\x00\x00\x00"
                                     "\x02\x00\x00\x00"
                                     "ab",
                                     18));
}

CAF_TEST(a sample reads back) {
  auto bytes = write(data_format::json, R"({"id":"x"})");
  auto v = read_flexible(bytes, 4096);
  CAF_REQUIRE(v);
  CAF_CHECK(v->format == data_format::json);
  CAF_CHECK_EQUAL(v->data, R"({"id":"x"})");
  CAF_CHECK(v->version == (std::array<uint8_t, 4>{0, 0, 0, 0}));
}

CAF_TEST(a big endian sample reads back) {
  std::string bytes("\x00\x00\x00\x00"
                    "\x00\x00\x00\x01"
                    "\x01\x02\x03\x04"
                    "\x00\x00\x00\x03"
                    "abc",
                    19);
  auto v = read_flexible(bytes, 4096);
  CAF_REQUIRE(v);
  CAF_CHECK(v->format == data_format::cbor);
  CAF_CHECK(v->version == (std::array<uint8_t, 4>{1, 2, 3, 4}));
  CAF_CHECK_EQUAL(v->data, "abc");
}

CAF_TEST(broken samples are refused) {
  auto good = write(data_format::json, "abc");
  CAF_CHECK(!read_flexible(good.substr(0, 15), 4096)); // short header
  CAF_CHECK(!read_flexible(good.substr(0, 18), 4096)); // data cut
  CAF_CHECK(!read_flexible(good, 2));                  // past the bound
  auto unknown_format = good;
  unknown_format[4] = 3;
  CAF_CHECK(!read_flexible(unknown_format, 4096));
  auto unknown_encapsulation = good;
  unknown_encapsulation[1] = 0x02; // PL_CDR_BE: not this type's
  CAF_CHECK(!read_flexible(unknown_encapsulation, 4096));
}

CAF_TEST(an empty sample is valid) {
  auto v = read_flexible(write(data_format::json, ""), 4096);
  CAF_REQUIRE(v);
  CAF_CHECK(v->data.empty());
}

CAF_TEST(eProsima GUIDs print as host and participant) {
  std::array<uint8_t, 12> prefix{0x01, 0x0f, 0x9a, 0x5f, 0x64, 0xd9,
                                 0x5f, 0xd3, 0x01, 0x00, 0x00, 0x00};
  CAF_CHECK_EQUAL(guid_text(prefix, {0x00, 0x00, 0x04, 0x03}),
                  "9a5f64d95fd3.1.403");
  prefix[8] = 0;
  prefix[9] = 0x12; // little endian: 0x1200
  CAF_CHECK_EQUAL(guid_text(prefix, {0x00, 0x00, 0x01, 0xc2}),
                  "9a5f64d95fd3.1200.1c2");
  prefix[9] = 0;
  CAF_CHECK_EQUAL(guid_text(prefix, {0, 0, 0, 0}), "9a5f64d95fd3.0.0");
}

CAF_TEST(other vendors GUIDs print in full) {
  std::array<uint8_t, 12> prefix{0x01, 0x03, 0x00, 0x0a, 0x0b, 0x0c,
                                 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12};
  CAF_CHECK_EQUAL(guid_text(prefix, {0x00, 0x00, 0x01, 0x03}),
                  "0103000a0b0c0d0e0f101112.103");
}
