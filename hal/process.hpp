// Starting a job's process: the environment it gets, its sd_notify socket
// and the spawn itself. The pieces that can be pure (environment building,
// socket names) are pure; the rest are thin wrappers over system calls.
//
// Spawning uses posix_spawnp, so that the calling thread only waits for the
// child's execve (glibc 2.36 uses CLONE_VFORK and reports an exec or chdir
// failure through the return value; it reaps such a child itself). The child
// gets:
// - its own process group (so that stop signals reach what it forks),
// - an empty signal mask and default dispositions for every signal (the node
//   may ignore SIGPIPE or block signals in its threads; a job must not
//   inherit that; glibc 2.36 itself leaves its two reserved signals 32 and
//   33 ignored, which no glibc program can use anyway),
// - stdin from /dev/null, stdout and stderr into two pipes,
// - no other file descriptor of the node (closefrom(3) in the child).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

namespace signalbox::hal {

/// Owns one file descriptor; closes it on destruction.
class unique_fd {
public:
  unique_fd() noexcept = default;
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept;
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd();

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }

  /// Gives up ownership and answers the descriptor.
  int release() noexcept;

  /// Closes the descriptor now (no-op when empty).
  void reset() noexcept;

private:
  int fd_ = -1;
};

// -- environment --------------------------------------------------------------

/// Variables through which a supervisor talks to its child (systemd's, or a
/// signalbox node's when this node is itself a job). A job never inherits
/// them from the node: a job's supervisor is this node.
extern const std::vector<std::string_view> supervisor_variables;

/// The environment of a job, as "NAME=value" strings: the node's environment
/// `node_env` without `supervisor_variables`, then the job's own variables
/// `job_env`, then the node's variables `node_vars` (SIGNALBOX_URL,
/// SIGNALBOX_JOB_ID, NOTIFY_SOCKET, WATCHDOG_USEC), each replacing a variable
/// of the same name in place. The node's variables win so that a job
/// definition cannot break its own supervision. Malformed entries of
/// `node_env` are dropped; of duplicates the first counts (like getenv).
std::vector<std::string> build_environment(
    const std::vector<std::string>& node_env,
    const std::map<std::string, std::string>& job_env,
    const std::vector<std::pair<std::string, std::string>>& node_vars);

/// A copy of this process's environment (`environ`).
std::vector<std::string> current_environment();

// -- sd_notify socket ---------------------------------------------------------

/// A tag that identifies this node process among others on the host: its pid
/// and a random number, because two nodes in different PID namespaces may
/// share a network namespace (and with it the abstract socket namespace).
const std::string& node_instance_tag();

/// The NOTIFY_SOCKET address of run `run` of job `job_id`:
/// "@signalbox/<tag>/job-<id>-<run>" ('@' is the abstract namespace, as in
/// sd_notify(3)). One socket per run, so that a datagram from a process left
/// over from an earlier run is never taken for the current run's.
///
/// Abstract rather than a path: the name disappears with the last
/// descriptor, so a node killed with SIGKILL leaves no stale socket file;
/// there is no runtime directory to choose, create or clean, and no
/// 108-byte sun_path limit to hit with a deep data directory. The price:
/// abstract sockets have no file permissions, so any process in the same
/// network namespace could send to it (it is listed in /proc/net/unix) and
/// fake READY/WATCHDOG/STATUS for a job; jobs in another network namespace
/// cannot reach it. A path socket is still accepted by open_notify_socket.
std::string notify_socket_address(std::string_view tag, uint64_t job_id,
                                  uint64_t run);

/// Creates a unix datagram socket (non-blocking, close-on-exec) bound to
/// `address` ("@name" for the abstract namespace, or a file system path).
caf::expected<unique_fd> open_notify_socket(const std::string& address);

// -- spawning -----------------------------------------------------------------

struct spawn_request {
  std::vector<std::string> argv; // argv[0] is looked up in the node's PATH
  std::vector<std::string> env;  // "NAME=value"
  std::string cwd;               // empty: the node's working directory
};

/// A started child process. The child is not reaped by anyone but the owner
/// of this struct, so `pid` stays valid (possibly as a zombie) until then.
struct spawned_process {
  pid_t pid = 0; // also the id of its process group
  unique_fd pidfd;
  unique_fd stdout_fd; // read ends of the output pipes
  unique_fd stderr_fd;
};

/// A pidfd of process `pid` (any process, not only a child); empty with
/// errno set on failure.
unique_fd open_pidfd(pid_t pid);

/// Starts `req`. Fails (ec::system_error) with a text that names the
/// command, and the directory when it is the directory that is missing.
caf::expected<spawned_process> spawn_process(const spawn_request& req);

} // namespace signalbox::hal
