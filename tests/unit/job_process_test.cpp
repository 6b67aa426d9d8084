#define CAF_SUITE job_process
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <optional>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/errors.hpp"
#include "fixture.hpp"
#include "hal/process.hpp"
#include "hal/process_monitor.hpp"

using namespace signalbox;
using namespace signalbox::hal;
using namespace std::chrono_literals;
using strings = std::vector<std::string>;

namespace {

const std::string programs = SIGNALBOX_TEST_PROGRAMS;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Collects what a monitor reports, for the test thread to wait on.
struct probe {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::pair<std::string, std::string>> lines;
  strings datagrams;
  std::optional<int> status;
  process_monitor monitor; // to report consumed output to, once known
  bool credit = true;      // report consumed output at all
  size_t uncredited = 0;   // output cost not reported yet
  size_t delivered = 0;    // output cost delivered in total

  process_sinks sinks() {
    process_sinks s;
    s.output = [this](const std::string& stream, std::string line) {
      std::lock_guard<std::mutex> guard{mtx};
      auto cost = process_monitor::output_cost(line);
      delivered += cost;
      uncredited += cost;
      lines.emplace_back(stream, std::move(line));
      report_consumed();
      cv.notify_all();
    };
    s.notify = [this](std::string datagram) {
      std::lock_guard<std::mutex> guard{mtx};
      datagrams.push_back(std::move(datagram));
      cv.notify_all();
    };
    s.exited = [this](int wait_status) {
      std::lock_guard<std::mutex> guard{mtx};
      status = wait_status;
      cv.notify_all();
    };
    return s;
  }

  // Waits (at most 10 s) until `pred` holds under the lock.
  template <class Pred>
  void wait(Pred pred) {
    std::unique_lock<std::mutex> guard{mtx};
    if (!cv.wait_for(guard, 10s, [&] { return pred(); }))
      CAF_FAIL("timeout waiting for the process monitor");
  }

  // Called with the lock held.
  void report_consumed() {
    if (credit && monitor && uncredited > 0) {
      monitor.consumed(uncredited);
      uncredited = 0;
    }
  }

  void set_monitor(process_monitor m) {
    std::lock_guard<std::mutex> guard{mtx};
    monitor = std::move(m);
    report_consumed();
  }

  void set_credit(bool on) {
    std::lock_guard<std::mutex> guard{mtx};
    credit = on;
    report_consumed();
  }

  int wait_exit() {
    wait([this] { return status.has_value(); });
    return *status;
  }

  strings stream(const std::string& name) {
    std::lock_guard<std::mutex> guard{mtx};
    strings out;
    for (auto& [s, line] : lines)
      if (s == name)
        out.push_back(line);
    return out;
  }
};

// An io_context run by one thread for the duration of a test.
struct io_thread {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      guard{io.get_executor()};
  std::thread thread{[this] { io.run(); }};

  ~io_thread() {
    guard.reset();
    io.stop();
    thread.join();
  }
};

struct fixture {
  probe p; // outlives the io thread, whose handlers call into it
  io_thread loop;

  spawned_process spawn(strings argv, strings env = {}, std::string cwd = {}) {
    spawn_request req{std::move(argv), std::move(env), std::move(cwd)};
    auto proc = spawn_process(req);
    if (!proc)
      CAF_FAIL("spawn failed: " << text_of(proc.error()));
    return std::move(*proc);
  }

  ~fixture() {
    p.set_monitor({}); // the monitor must not outlive the io_context
  }

  process_monitor watch(spawned_process proc, unique_fd notify = {},
                        size_t max_line_bytes = 4096) {
    auto m = process_monitor::start(loop.io, std::move(proc), std::move(notify),
                                    max_line_bytes, p.sinks());
    p.set_monitor(m);
    return m;
  }

  // Runs `argv` to its end and answers its wait status.
  int run(strings argv, strings env = {}, std::string cwd = {}) {
    watch(spawn(std::move(argv), std::move(env), std::move(cwd)));
    return p.wait_exit();
  }
};

std::string spawn_error(strings argv, std::string cwd = {}) {
  spawn_request req{std::move(argv), {"PATH=/usr/bin:/bin"}, std::move(cwd)};
  auto proc = spawn_process(req);
  if (proc)
    CAF_FAIL("spawn unexpectedly succeeded");
  return text_of(proc.error());
}

} // namespace

// -- environment --------------------------------------------------------------

CAF_TEST(the environment layers node job and node variables) {
  strings node_env{"PATH=/bin", "HOME=/root", "LANG=C", "EMPTY="};
  std::map<std::string, std::string> job_env{{"LANG", "de_DE.UTF-8"},
                                             {"LEVEL", "3"}};
  auto env = build_environment(node_env, job_env,
                               {{"SIGNALBOX_JOB_ID", "7"}, {"LEVEL", "9"}});
  // Replaced in place, new ones appended in order.
  CAF_CHECK_EQUAL(env, (strings{"PATH=/bin", "HOME=/root", "LANG=de_DE.UTF-8",
                                "EMPTY=", "LEVEL=9", "SIGNALBOX_JOB_ID=7"}));
}

CAF_TEST(the node own supervision variables are not inherited) {
  strings node_env{"NOTIFY_SOCKET=/run/systemd/notify",
                   "WATCHDOG_USEC=1000",
                   "WATCHDOG_PID=1",
                   "LISTEN_FDS=2",
                   "LISTEN_PID=1",
                   "LISTEN_FDNAMES=a:b",
                   "JOURNAL_STREAM=8:123",
                   "SIGNALBOX_URL=http://parent:1777",
                   "SIGNALBOX_JOB_ID=3",
                   "KEEP=1"};
  CAF_CHECK_EQUAL(build_environment(node_env, {}, {}), strings{"KEEP=1"});
  // ... but a job may set them for itself, and the node's own win.
  auto env = build_environment(node_env, {{"WATCHDOG_USEC", "5"}},
                               {{"NOTIFY_SOCKET", "@x"}});
  CAF_CHECK_EQUAL(env,
                  (strings{"KEEP=1", "WATCHDOG_USEC=5", "NOTIFY_SOCKET=@x"}));
}

CAF_TEST(malformed node environment entries are dropped) {
  strings node_env{"NOEQUALS", "=value", "A=1=2", "A=3"};
  // Of duplicates the first counts, as for getenv; the job sees one entry.
  CAF_CHECK_EQUAL(build_environment(node_env, {}, {}), strings{"A=1=2"});
}

CAF_TEST(the current environment is this process environment) {
  ::setenv("SIGNALBOX_JOB_PROCESS_TEST", "yes", 1);
  auto env = current_environment();
  CAF_CHECK(std::find(env.begin(), env.end(),
                      "SIGNALBOX_JOB_PROCESS_TEST=yes") != env.end());
  ::unsetenv("SIGNALBOX_JOB_PROCESS_TEST");
}

// -- notify socket ------------------------------------------------------------

CAF_TEST(notify socket addresses are per job and run) {
  CAF_CHECK_EQUAL(notify_socket_address("42-0000beef", 7, 3),
                  "@signalbox/42-0000beef/job-7-3");
  auto& tag = node_instance_tag();
  CAF_CHECK_EQUAL(tag, node_instance_tag()); // stable for the process
  CAF_CHECK_EQUAL(tag.rfind(std::to_string(::getpid()) + "-", 0), 0u);
}

CAF_TEST(an abstract notify socket receives datagrams) {
  auto address = notify_socket_address(node_instance_tag(), 999, 1);
  auto fd = open_notify_socket(address);
  CAF_REQUIRE(fd);
  // A second socket cannot take the same name.
  auto again = open_notify_socket(address);
  CAF_REQUIRE(!again);
  CAF_CHECK(contains(text_of(again.error()), "in use"));
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::copy(address.begin() + 1, address.end(), sa.sun_path + 1);
  auto len =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
  unique_fd sender{::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  CAF_REQUIRE_EQUAL(::sendto(sender.get(), "READY=1", 7, 0,
                             reinterpret_cast<sockaddr*>(&sa), len),
                    7);
  char buf[16];
  CAF_CHECK_EQUAL(::recv(fd->get(), buf, sizeof(buf), 0), 7);
  // Non-blocking: nothing more queued.
  auto rc = ::recv(fd->get(), buf, sizeof(buf), 0);
  auto code = errno; // before a check's output can change it
  CAF_CHECK_EQUAL(rc, -1);
  CAF_CHECK_EQUAL(code, EAGAIN);
}

CAF_TEST(a path notify socket works too and bad addresses fail) {
  test::temp_dir dir;
  auto path = dir.str() + "/notify";
  auto fd = open_notify_socket(path);
  CAF_REQUIRE(fd);
  struct stat st;
  CAF_REQUIRE_EQUAL(::stat(path.c_str(), &st), 0);
  CAF_CHECK(S_ISSOCK(st.st_mode));
  CAF_CHECK(!open_notify_socket(""));
  CAF_CHECK(!open_notify_socket("@"));
  CAF_CHECK(!open_notify_socket("@" + std::string(200, 'x')));
  CAF_CHECK(!open_notify_socket(dir.str() + "/missing/dir/notify"));
}

// -- spawn failures -----------------------------------------------------------

CAF_TEST(a missing program fails to spawn with a clear text) {
  auto text = spawn_error({"/nonexistent/program"});
  CAF_CHECK(contains(text, "'/nonexistent/program'"));
  CAF_CHECK(contains(text, "No such file or directory"));
  // Looked up in PATH as well.
  text = spawn_error({"signalbox-no-such-program"});
  CAF_CHECK(contains(text, "No such file or directory"));
}

CAF_TEST(a program without execute permission fails to spawn) {
  test::temp_dir dir;
  auto path = dir.str() + "/not-executable";
  std::ofstream{path} << "#!/bin/sh\necho hi\n";
  ::chmod(path.c_str(), 0644);
  CAF_CHECK(contains(spawn_error({path}), "Permission denied"));
}

CAF_TEST(a missing working directory is named in the error) {
  auto text = spawn_error({"/bin/true"}, "/nonexistent/dir");
  CAF_CHECK(contains(text, "working directory '/nonexistent/dir'"));
  CAF_CHECK(contains(text, "No such file or directory"));
}

CAF_TEST(an empty command does not spawn) {
  CAF_CHECK(!spawn_process(spawn_request{{}, {}, {}}));
  CAF_CHECK(!spawn_process(spawn_request{{""}, {}, {}}));
}

// -- running processes --------------------------------------------------------

CAF_TEST_FIXTURE_SCOPE(monitor_tests, fixture)

CAF_TEST(exit status and output lines of both streams) {
  auto status = run({"/bin/sh", "-c",
                     "echo one; echo two >&2; printf 'three\\nfour'; exit 3"});
  CAF_REQUIRE(WIFEXITED(status));
  CAF_CHECK_EQUAL(WEXITSTATUS(status), 3);
  // Everything was delivered before the exit (the final partial line too).
  CAF_CHECK_EQUAL(p.stream("stdout"), (strings{"one", "three", "four"}));
  CAF_CHECK_EQUAL(p.stream("stderr"), strings{"two"});
}

CAF_TEST(a crash is reported as a signal) {
  auto status = run({programs + "/crash_segv"});
  CAF_REQUIRE(WIFSIGNALED(status));
  CAF_CHECK_EQUAL(WTERMSIG(status), SIGSEGV);
  CAF_CHECK_EQUAL(p.stream("stdout"), strings{"about to crash"});
}

CAF_TEST(long lines are cut at the configured length) {
  watch(spawn({"/bin/sh", "-c", "printf '%0100d\\nshort\\n' 0"}), {}, 10);
  p.wait_exit();
  CAF_CHECK_EQUAL(p.stream("stdout"), (strings{"0000000000", "short"}));
}

CAF_TEST(lots of output arrives complete and in order) {
  run({"/bin/sh", "-c",
       "i=0; while [ $i -lt 5000 ]; do echo $i; "
       "i=$((i+1)); done"});
  auto out = p.stream("stdout");
  CAF_REQUIRE_EQUAL(out.size(), 5000u);
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i] != std::to_string(i))
      CAF_FAIL("line " << i << " is '" << out[i] << "'");
}

CAF_TEST(the child gets exactly the given environment and cwd) {
  test::temp_dir dir;
  run({"/bin/sh", "-c", "echo \"$A|$B|$(pwd)\"; env | wc -l"},
      {"A=1", "B=two words"}, dir.str());
  auto out = p.stream("stdout");
  CAF_REQUIRE_EQUAL(out.size(), 2u);
  CAF_CHECK_EQUAL(out[0], "1|two words|" + dir.str());
  // sh adds PWD (and may add a few of its own); nothing of ours leaks.
  CAF_CHECK_LESS_OR_EQUAL(std::stoi(out[1]), 5);
}

CAF_TEST(the child has its own process group and stdin from dev null) {
  auto mon = watch(
      spawn({"/bin/sh", "-c", "cut -d' ' -f5 /proc/$$/stat; cat; echo eof"}));
  auto pid = mon.pid();
  p.wait_exit();
  CAF_CHECK_EQUAL(p.stream("stdout"), (strings{std::to_string(pid), "eof"}));
}

CAF_TEST(the child does not inherit signal dispositions masks or fds) {
  // Make the spawning thread look like a busy node: SIGPIPE ignored,
  // SIGUSR1 blocked, and a descriptor without close-on-exec.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_pipe {};
  ::sigaction(SIGPIPE, &ignore, &old_pipe);
  sigset_t usr1, old_mask;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ::pthread_sigmask(SIG_BLOCK, &usr1, &old_mask);
  unique_fd leaked{::open("/dev/null", O_RDONLY)}; // no O_CLOEXEC
  auto script = "grep -E '^Sig(Ign|Blk)' /proc/self/status; "
                "test -e /proc/$$/fd/" +
                std::to_string(leaked.get()) + " && echo leaked || echo closed";
  auto proc = spawn({"/bin/sh", "-c", script});
  ::sigaction(SIGPIPE, &old_pipe, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  watch(std::move(proc));
  p.wait_exit();
  auto out = p.stream("stdout");
  CAF_REQUIRE_EQUAL(out.size(), 3u);
  CAF_CHECK_EQUAL(out[0], "SigBlk:\t0000000000000000");
  // glibc 2.36's posix_spawn leaves its two reserved signals (32 and 33,
  // which glibc programs cannot use) ignored in the child; every signal a
  // program can use has its default disposition.
  CAF_REQUIRE_EQUAL(out[1].rfind("SigIgn:\t", 0), 0u);
  auto ignored = std::stoull(out[1].substr(8), nullptr, 16);
  auto glibc_reserved = (1ull << (32 - 1)) | (1ull << (33 - 1));
  CAF_CHECK_EQUAL(ignored & ~glibc_reserved, 0u);
  CAF_CHECK_EQUAL(out[2], "closed");
}

CAF_TEST(what the main process leaves in its group is killed) {
  auto mon = watch(spawn({"/bin/sh", "-c", "sleep 1000 & echo $!; exit 0"}));
  auto status = p.wait_exit();
  CAF_CHECK(WIFEXITED(status));
  auto out = p.stream("stdout");
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  auto leftover = static_cast<pid_t>(std::stol(out[0]));
  // The background sleep was reparented; watch it through its own pidfd.
  auto pidfd = open_pidfd(leftover);
  auto code = errno;
  if (pidfd) {
    pollfd pfd{pidfd.get(), POLLIN, 0};
    CAF_CHECK_EQUAL(::poll(&pfd, 1, 5000), 1); // it ended (or is a zombie)
  } else {
    CAF_CHECK_EQUAL(code, ESRCH); // already gone
  }
  // Once reaped, the monitor does not signal a group that may be reused.
  CAF_CHECK(!mon.signal_group(SIGTERM));
}

CAF_TEST(signals reach the whole group) {
  auto mon = watch(
      spawn({"/bin/sh", "-c", "sleep 1000 & echo started; wait; echo never"}));
  p.wait([&] { return !p.lines.empty(); });
  CAF_CHECK(mon.signal_group(SIGKILL));
  auto status = p.wait_exit();
  CAF_REQUIRE(WIFSIGNALED(status));
  CAF_CHECK_EQUAL(WTERMSIG(status), SIGKILL);
  CAF_CHECK_EQUAL(p.stream("stdout"), strings{"started"});
}

CAF_TEST(reading pauses while too much output is unconsumed) {
  // 200000 empty lines: 64 bytes of flow-control cost each, far more than
  // may be in flight at once.
  p.set_credit(false);
  auto mon = watch(
      spawn({"/bin/sh", "-c", "head -c 200000 /dev/zero | tr '\\0' '\\n'"}));
  p.wait([&] { return !p.lines.empty(); });
  // Whatever the machine's speed, without consumption the monitor hands
  // out at most the limit plus what one 4 KiB read makes of it.
  auto bound = process_monitor::max_output_in_flight +
               4096 * process_monitor::output_cost("");
  // The writer is blocked now (or soon): it cannot finish on its own.
  std::unique_lock<std::mutex> guard{p.mtx};
  CAF_CHECK(!p.cv.wait_for(guard, 300ms, [&] { return p.status.has_value(); }));
  CAF_CHECK_LESS_OR_EQUAL(p.delivered, bound);
  CAF_CHECK_LESS(p.lines.size(), 200000u);
  guard.unlock();
  // Consuming lets everything through, exactly once.
  p.set_credit(true);
  auto status = p.wait_exit();
  CAF_CHECK(WIFEXITED(status));
  CAF_CHECK_EQUAL(p.stream("stdout").size(), 200000u);
}

CAF_TEST(datagrams arrive before the exit and passed fds are closed) {
  auto address = notify_socket_address(node_instance_tag(), 1000, 1);
  auto sock = open_notify_socket(address);
  CAF_REQUIRE(sock);
  // notify_client's barrier step exits 70 unless we close the fd it passed.
  watch(spawn({programs + "/notify_client", "send:READY=1|STATUS=up", "barrier",
               "send:STATUS=bye", "exit:0"},
              {"NOTIFY_SOCKET=" + address}),
        std::move(*sock));
  auto status = p.wait_exit();
  CAF_REQUIRE(WIFEXITED(status));
  CAF_CHECK_EQUAL(WEXITSTATUS(status), 0);
  CAF_CHECK_EQUAL(p.datagrams,
                  (strings{"READY=1\nSTATUS=up", "BARRIER=1", "STATUS=bye"}));
}

CAF_TEST(systemd - notify works against the notify socket) {
  auto address = notify_socket_address(node_instance_tag(), 1001, 1);
  auto sock = open_notify_socket(address);
  CAF_REQUIRE(sock);
  // systemd-notify (systemd 252) sends its message, then BARRIER=1 with an
  // fd, and fails after 5 s unless the receiver closes that fd.
  watch(spawn({"/bin/sh", "-c",
               "systemd-notify --ready --status='all good'; echo rc=$?"},
              {"NOTIFY_SOCKET=" + address, "PATH=/usr/bin:/bin"}),
        std::move(*sock));
  p.wait_exit();
  CAF_CHECK_EQUAL(p.stream("stdout"), strings{"rc=0"});
  CAF_CHECK_EQUAL(p.stream("stderr"), strings{});
  CAF_REQUIRE_EQUAL(p.datagrams.size(), 2u);
  CAF_CHECK_EQUAL(p.datagrams[0], "READY=1\nSTATUS=all good");
  CAF_CHECK_EQUAL(p.datagrams[1], "BARRIER=1");
}

CAF_TEST(oversized datagrams are dropped) {
  auto address = notify_socket_address(node_instance_tag(), 1002, 1);
  auto sock = open_notify_socket(address);
  CAF_REQUIRE(sock);
  watch(spawn({programs + "/notify_client",
               "send:STATUS=" + std::string(5000, 'x'), "send:READY=1"},
              {"NOTIFY_SOCKET=" + address}),
        std::move(*sock));
  p.wait_exit();
  CAF_CHECK_EQUAL(p.datagrams, strings{"READY=1"});
}

CAF_TEST_FIXTURE_SCOPE_END()
