#define CAF_SUITE job_sd_notify
#include "fixture.hpp"
#include "hal/sd_notify.hpp"

using namespace signalbox::hal;

namespace {

sd_notify_message parse(std::string_view datagram) {
  auto msg = parse_sd_notify(datagram);
  CAF_REQUIRE(msg);
  return *msg;
}

// The parsed values as printable strings ("-" when absent).
std::string usec(std::string_view datagram) {
  auto x = parse(datagram).watchdog_usec;
  return x ? std::to_string(*x) : "-";
}

std::string status(std::string_view datagram) {
  auto x = parse(datagram).status;
  return x ? *x : "-";
}

} // namespace

CAF_TEST(ready) {
  auto msg = parse("READY=1");
  CAF_CHECK(msg.ready);
  CAF_CHECK(!msg.watchdog_ping);
  CAF_CHECK(!msg.watchdog_trigger);
  CAF_CHECK(!msg.status);
  CAF_CHECK(!msg.watchdog_usec);
}

CAF_TEST(several assignments in one datagram) {
  auto msg = parse("READY=1\nSTATUS=Processing requests\nWATCHDOG=1\n");
  CAF_CHECK(msg.ready);
  CAF_CHECK(msg.watchdog_ping);
  CAF_REQUIRE(msg.status);
  CAF_CHECK_EQUAL(*msg.status, "Processing requests");
}

CAF_TEST(values other than the documented ones are ignored) {
  CAF_CHECK(!parse("READY=0").ready);
  CAF_CHECK(!parse("READY=yes").ready);
  CAF_CHECK(!parse("READY").ready);
  CAF_CHECK(!parse("READY=1 ").ready);
  CAF_CHECK(!parse("ready=1").ready); // names are case-sensitive
  CAF_CHECK(!parse("WATCHDOG=2").watchdog_ping);
  CAF_CHECK(!parse("WATCHDOG=2").watchdog_trigger);
}

CAF_TEST(watchdog trigger) {
  auto msg = parse("WATCHDOG=trigger");
  CAF_CHECK(msg.watchdog_trigger);
  CAF_CHECK(!msg.watchdog_ping);
}

CAF_TEST(watchdog timeout override) {
  CAF_CHECK_EQUAL(usec("WATCHDOG_USEC=2500000"), "2500000");
  CAF_CHECK_EQUAL(usec("WATCHDOG_USEC=0"), "0");
  CAF_CHECK_EQUAL(usec("WATCHDOG_USEC=18446744073709551615"),
                  "18446744073709551615");
  CAF_CHECK_EQUAL(usec("WATCHDOG_USEC=18446744073709551616"), "-");
  CAF_CHECK_EQUAL(usec("WATCHDOG_USEC="), "-");
  CAF_CHECK_EQUAL(usec("WATCHDOG_USEC=-1"), "-");
  CAF_CHECK_EQUAL(usec("WATCHDOG_USEC=5s"), "-");
}

CAF_TEST(status text) {
  CAF_CHECK_EQUAL(status("STATUS="), ""); // clears it
  CAF_CHECK_EQUAL(status("STATUS=a=b"), "a=b");
  CAF_CHECK_EQUAL(status("STATUS=caf\xC3\xA9"), "caf\xC3\xA9");
  // The last assignment wins.
  CAF_CHECK_EQUAL(status("STATUS=one\nSTATUS=two"), "two");
  // Not UTF-8: ignored, like systemd does.
  CAF_CHECK_EQUAL(status("STATUS=\xFF"), "-");
  CAF_CHECK(parse("READY=1\nSTATUS=\xC3").ready);
}

CAF_TEST(unknown and protocol - only assignments are ignored) {
  auto msg = parse("BARRIER=1\nMAINPID=42\nSTOPPING=1\nERRNO=2\n=x\nnoeq");
  CAF_CHECK(!msg.ready);
  CAF_CHECK(!msg.watchdog_ping);
  CAF_CHECK(!msg.status);
}

CAF_TEST(empty datagrams and empty lines) {
  auto msg = parse("");
  CAF_CHECK(!msg.ready);
  CAF_CHECK(parse("\n\nREADY=1\n\n").ready);
}

CAF_TEST(a datagram with a NUL byte is dropped as a whole) {
  CAF_CHECK(!parse_sd_notify(std::string_view{"READY=1\0", 8}));
  CAF_CHECK(!parse_sd_notify(std::string_view{"STATUS=a\0b\nREADY=1", 18}));
}

