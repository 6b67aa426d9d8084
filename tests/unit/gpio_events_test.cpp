// The edge reader on a real io_context thread, fed through a pipe with the
// kernel's own `struct gpioevent_data` records: the exact bytes a line-event
// fd yields, decoded by libgpiod's gpiod_line_event_read_fd_multiple.
#define CAF_SUITE gpio_events

#include <memory>

#include <caf/test/unit_test.hpp>

#include "fixture.hpp"
#include "gpio_test_support.hpp"
#include "hal/gpio_backend.hpp"
#include "hal/gpio_events.hpp"

using namespace signalbox;
using namespace signalbox::test;

namespace {

struct fixture {
  io_thread loop; // declared first: outlives every reader of a test
  test_pipe kernel;
  edge_log log;

  std::unique_ptr<hal::gpio_event_reader> start_reader() {
    return std::make_unique<hal::gpio_event_reader>(
        loop.io(), kernel.read_fd, [this](const gpio_edge& e) { log.add(e); },
        [this](const std::string& reason) { log.fail(reason); });
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(gpio_events_tests, fixture)

CAF_TEST(rising and falling edges become logical values with timestamps) {
  auto reader = start_reader();
  write_records(kernel.write_fd, {edge_record(1'000'000'123, true)});
  CAF_REQUIRE(log.wait_edges(1));
  write_records(kernel.write_fd, {edge_record(2'500'000'456, false)});
  CAF_REQUIRE(log.wait_edges(2));
  auto edges = log.edges();
  CAF_REQUIRE_EQUAL(edges.size(), 2u);
  CAF_CHECK_EQUAL(edges[0].value, 1);
  CAF_CHECK_EQUAL(edges[0].timestamp_ns, 1'000'000'123u);
  CAF_CHECK_EQUAL(edges[1].value, 0);
  CAF_CHECK_EQUAL(edges[1].timestamp_ns, 2'500'000'456u);
  CAF_CHECK(log.failures().empty());
}

CAF_TEST(many records in one write arrive complete and in order) {
  // 100 records: more than one read of 16 and more than the reader takes
  // per wake-up, so both the read loop and the re-arm are exercised.
  std::vector<gpioevent_data> records;
  for (uint64_t i = 0; i < 100; ++i)
    records.push_back(edge_record(1000 + i, i % 2 == 0));
  auto reader = start_reader();
  write_records(kernel.write_fd, records);
  CAF_REQUIRE(log.wait_edges(100));
  auto edges = log.edges();
  CAF_REQUIRE_EQUAL(edges.size(), 100u);
  for (size_t i = 0; i < edges.size(); ++i) {
    CAF_CHECK_EQUAL(edges[i].timestamp_ns, 1000 + i);
    CAF_CHECK_EQUAL(edges[i].value, i % 2 == 0 ? 1 : 0);
  }
}

CAF_TEST(the reader owns a duplicate of the fd) {
  auto reader = start_reader();
  // The port may close its fd (releasing the line) while the reader still
  // runs: the reader's dup keeps working until the reader is closed.
  kernel.close_read();
  write_records(kernel.write_fd, {edge_record(7, true)});
  CAF_REQUIRE(log.wait_edges(1));
  auto edges = log.edges();
  CAF_CHECK_EQUAL(edges[0].value, 1);
}

CAF_TEST(end of stream is reported once and stops the reader) {
  auto reader = start_reader();
  write_records(kernel.write_fd, {edge_record(5, true)});
  kernel.close_write();
  CAF_REQUIRE(log.wait_failure());
  // The edge before the end still arrived, in order.
  CAF_REQUIRE_EQUAL(log.edges().size(), 1u);
  auto failures = log.failures();
  CAF_REQUIRE_EQUAL(failures.size(), 1u);
  CAF_CHECK_NOT_EQUAL(failures[0].find("end of stream"), std::string::npos);
  // The reader closed its dup on failure: the pipe has no reader left.
  kernel.close_read();
  kernel.close_write();
}

CAF_TEST(a truncated record is reported as a failure) {
  auto reader = start_reader();
  auto record = edge_record(9, true);
  CAF_REQUIRE_EQUAL(::write(kernel.write_fd, &record, sizeof(record) / 2),
                    static_cast<ssize_t>(sizeof(record) / 2));
  CAF_REQUIRE(log.wait_failure());
  CAF_CHECK(log.edges().empty());
  auto failures = log.failures();
  CAF_CHECK_NOT_EQUAL(failures[0].find("truncated record"), std::string::npos);
  // After the failure the reader has let go of its dup.
  kernel.close_read();
  CAF_CHECK(kernel.wait_readers_gone());
}

CAF_TEST(no handler runs once close has returned) {
  auto reader = start_reader();
  write_records(kernel.write_fd, {edge_record(1, true)});
  CAF_REQUIRE(log.wait_edges(1));
  reader->close();
  write_records(kernel.write_fd, {edge_record(2, false)});
  // Wait until the io_context closed the reader's dup: every handler that
  // could still have run has run by then.
  kernel.close_read();
  CAF_REQUIRE(kernel.wait_readers_gone());
  CAF_CHECK_EQUAL(log.edges().size(), 1u);
  CAF_CHECK(log.failures().empty()); // closing is not a failure
  reader->close();                   // idempotent
}

CAF_TEST(destroying the reader closes it) {
  auto reader = start_reader();
  reader.reset();
  kernel.close_read();
  CAF_CHECK(kernel.wait_readers_gone());
  CAF_CHECK(log.failures().empty());
}

CAF_TEST(an invalid fd is a clear error) {
  try {
    hal::gpio_event_reader reader{loop.io(), -1, [](const gpio_edge&) {},
                                  [](const std::string&) {}};
    CAF_FAIL("no exception for fd -1");
  } catch (const hal::gpio_error& e) {
    CAF_CHECK(e.fault() == hal::gpio_fault::system);
    CAF_CHECK_EQUAL(std::string{e.what()},
                    "cannot duplicate the GPIO event fd: Bad file descriptor");
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
