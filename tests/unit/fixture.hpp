// Shared pieces of the unit tests: a CAF configuration that registers
// signalbox's type-ID block, the deterministic test-coordinator fixture on
// top of it, and a temporary directory that removes itself.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <caf/test/dsl.hpp>

#include "actors/interfaces.hpp"

namespace signalbox::test {

/// An actor_system_config with signalbox's types registered.
struct config : caf::actor_system_config {
  config() {
    add_signalbox_types(*this);
    // Keep test output quiet; failures are reported by the test framework.
    set("logger.console", caf::atom("none"));
  }
};

/// The deterministic scheduler fixture (CAF's test_coordinator_fixture) with
/// signalbox's types: `run()`, `expect(...)`, `sched.trigger_timeouts()`.
using deterministic_fixture = test_coordinator_fixture<config>;

/// A fresh directory under $TMPDIR, removed with everything in it on
/// destruction.
class temp_dir {
public:
  temp_dir() {
    auto base =
        std::filesystem::temp_directory_path() / "signalbox-test-XXXXXX";
    std::string tmpl = base.string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

private:
  std::filesystem::path path_;
};

} // namespace signalbox::test
