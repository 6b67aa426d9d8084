// protocols/toolkit/request_queue: requests handled in order, one waiting
// at a time; back-pressure at the count or byte bound, released at half of
// both; clear() and stop().
#define CAF_SUITE request_queue

#include <string>
#include <vector>

#include "fixture.hpp"
#include "protocols/toolkit/request_queue.hpp"

using namespace signalbox;

namespace {

/// A queue whose requests starting with "wait" wait for resume(); records
/// what was handled and every throttle call.
struct recorder {
  explicit recorder(size_t max_pending, size_t max_bytes = 1 << 20)
      : queue(
            max_pending, max_bytes,
            [this](std::string& req) {
              handled.push_back(req);
              return req.rfind("wait", 0) != 0;
            },
            [this](bool paused) { throttles.push_back(paused); }) {
    // nop
  }

  std::vector<std::string> handled;
  std::vector<bool> throttles;
  request_queue<std::string> queue;
};

} // namespace

CAF_TEST(requests that need no answer are handled at once) {
  recorder r{4};
  for (auto x : {"a", "b", "c", "d", "e", "f"})
    r.queue.push(x);
  CAF_CHECK_EQUAL(r.handled,
                  (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
  CAF_CHECK(r.throttles.empty());
  CAF_CHECK_EQUAL(r.queue.size(), 0u);
}

CAF_TEST(later requests wait behind one that waits and keep their order) {
  recorder r{8};
  r.queue.push("wait-1");
  r.queue.push("a");
  r.queue.push("wait-2");
  r.queue.push("b");
  CAF_CHECK_EQUAL(r.handled, (std::vector<std::string>{"wait-1"}));
  r.queue.resume();
  CAF_CHECK_EQUAL(r.handled,
                  (std::vector<std::string>{"wait-1", "a", "wait-2"}));
  r.queue.resume();
  CAF_CHECK_EQUAL(r.handled,
                  (std::vector<std::string>{"wait-1", "a", "wait-2", "b"}));
}

CAF_TEST(the count bound pauses and half of it resumes) {
  recorder r{4};
  r.queue.push("wait");
  for (int i = 0; i < 3; ++i)
    r.queue.push("x");
  CAF_CHECK(r.throttles.empty()); // 3 waiting
  r.queue.push("x");
  CAF_CHECK_EQUAL(r.throttles, (std::vector<bool>{true})); // 4 waiting
  CAF_CHECK(r.queue.paused());
  // More may still come (the rest of a read): taken, no second pause.
  r.queue.push("wait");
  r.queue.push("x");
  CAF_CHECK_EQUAL(r.queue.size(), 6u);
  CAF_CHECK_EQUAL(r.throttles.size(), 1u);
  // Resumed: 4 "x" handled, then "wait" waits with one "x" behind it.
  r.queue.resume();
  CAF_CHECK_EQUAL(r.queue.size(), 1u);
  CAF_CHECK_EQUAL(r.throttles, (std::vector<bool>{true, false}));
  CAF_CHECK(!r.queue.paused());
}

CAF_TEST(the byte bound pauses too) {
  recorder r{100, 10};
  r.queue.push("wait");
  r.queue.push("12345");
  CAF_CHECK(r.throttles.empty());
  r.queue.push("67890"); // 10 bytes wait
  CAF_CHECK_EQUAL(r.throttles, (std::vector<bool>{true}));
  r.queue.resume();
  CAF_CHECK_EQUAL(r.throttles, (std::vector<bool>{true, false}));
}

CAF_TEST(clear releases a paused queue; stop takes nothing more) {
  recorder r{2};
  r.queue.push("wait");
  r.queue.push("a");
  r.queue.push("b");
  CAF_REQUIRE(r.queue.paused());
  r.queue.clear();
  CAF_CHECK_EQUAL(r.throttles, (std::vector<bool>{true, false}));
  CAF_CHECK_EQUAL(r.queue.size(), 0u);
  r.queue.stop();
  r.queue.push("c");
  r.queue.resume();
  CAF_CHECK_EQUAL(r.handled, (std::vector<std::string>{"wait"}));
  CAF_CHECK(r.queue.stopped());
}
