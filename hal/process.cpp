#include "hal/process.hpp"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <fcntl.h>
#include <random>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>
#include <unordered_map>

#include "core/errors.hpp"
#include "hal/unix_address.hpp"

extern char** environ;

namespace signalbox::hal {

namespace {

std::string errno_text(int code) {
  return std::generic_category().message(code);
}

caf::error system_failure(std::string what, int code) {
  return make_error(ec::system_error, what + ": " + errno_text(code));
}

// The variable name of a "NAME=value" string.
std::string_view name_of(std::string_view assignment) {
  return assignment.substr(0, assignment.find('='));
}

// Moves `fd` to a descriptor number >= 3, so that the child's dup2 onto 0-2
// can never clobber it (the node may run with its standard descriptors
// closed, and then pipe2 hands out 0, 1 or 2).
bool move_above_stdio(unique_fd& fd) {
  if (fd.get() > 2)
    return true;
  int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0)
    return false;
  fd = unique_fd{moved};
  return true;
}

// Creates a close-on-exec pipe whose ends are both above stdio; the read end
// is non-blocking (the monitor drains it with plain reads at exit).
bool make_output_pipe(unique_fd& read_end, unique_fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return false;
  read_end = unique_fd{fds[0]};
  write_end = unique_fd{fds[1]};
  if (!move_above_stdio(read_end) || !move_above_stdio(write_end))
    return false;
  int flags = ::fcntl(read_end.get(), F_GETFL);
  return flags >= 0 &&
         ::fcntl(read_end.get(), F_SETFL, flags | O_NONBLOCK) == 0;
}

// RAII for posix_spawn's two attribute objects.
struct spawn_file_actions {
  posix_spawn_file_actions_t value;
  spawn_file_actions() { posix_spawn_file_actions_init(&value); }
  ~spawn_file_actions() { posix_spawn_file_actions_destroy(&value); }
  spawn_file_actions(const spawn_file_actions&) = delete;
  spawn_file_actions& operator=(const spawn_file_actions&) = delete;
};

struct spawn_attributes {
  posix_spawnattr_t value;
  spawn_attributes() { posix_spawnattr_init(&value); }
  ~spawn_attributes() { posix_spawnattr_destroy(&value); }
  spawn_attributes(const spawn_attributes&) = delete;
  spawn_attributes& operator=(const spawn_attributes&) = delete;
};

// A null-terminated array of pointers into `strings` (which must outlive it).
std::vector<char*> c_array(const std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (auto& str : strings)
    result.push_back(const_cast<char*>(str.c_str()));
  result.push_back(nullptr);
  return result;
}

// posix_spawn reports a failed chdir and a failed exec alike (both often
// ENOENT): look at the directory to tell the user which one it was.
bool directory_is_unusable(const std::string& cwd) {
  struct stat st;
  return ::stat(cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
         ::access(cwd.c_str(), X_OK) != 0;
}

} // namespace

// -- unique_fd ----------------------------------------------------------------

unique_fd& unique_fd::operator=(unique_fd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

unique_fd::~unique_fd() {
  reset();
}

int unique_fd::release() noexcept {
  return std::exchange(fd_, -1);
}

void unique_fd::reset() noexcept {
  if (fd_ >= 0)
    ::close(std::exchange(fd_, -1));
}

// -- environment --------------------------------------------------------------

const std::vector<std::string_view> supervisor_variables = {
    "NOTIFY_SOCKET",  "WATCHDOG_USEC", "WATCHDOG_PID",
    "LISTEN_FDS",     "LISTEN_PID",    "LISTEN_FDNAMES",
    "JOURNAL_STREAM", "SIGNALBOX_URL", "SIGNALBOX_JOB_ID",
};

std::vector<std::string> build_environment(
    const std::vector<std::string>& node_env,
    const std::map<std::string, std::string>& job_env,
    const std::vector<std::pair<std::string, std::string>>& node_vars) {
  std::vector<std::string> result;
  std::unordered_map<std::string, size_t> index; // name -> position
  auto set = [&](const std::string& name, const std::string& value) {
    auto assignment = name + '=' + value;
    if (auto i = index.find(name); i != index.end()) {
      result[i->second] = std::move(assignment);
    } else {
      index.emplace(name, result.size());
      result.push_back(std::move(assignment));
    }
  };
  for (auto& assignment : node_env) {
    auto name = name_of(assignment);
    auto stripped =
        std::find(supervisor_variables.begin(), supervisor_variables.end(),
                  name) != supervisor_variables.end();
    // A malformed entry means nothing; of duplicates the first counts, as
    // for getenv in the node itself.
    if (name.empty() || stripped || assignment.find('=') == std::string::npos ||
        index.count(std::string{name}) != 0)
      continue;
    set(std::string{name}, assignment.substr(name.size() + 1));
  }
  for (auto& [name, value] : job_env)
    set(name, value);
  for (auto& [name, value] : node_vars)
    set(name, value);
  return result;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> result;
  for (auto p = environ; p != nullptr && *p != nullptr; ++p)
    result.emplace_back(*p);
  return result;
}

// -- sd_notify socket ---------------------------------------------------------

const std::string& node_instance_tag() {
  static const std::string tag = [] {
    std::random_device rd;
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%ld-%08x", static_cast<long>(::getpid()),
                  static_cast<unsigned>(rd()));
    return std::string{buf};
  }();
  return tag;
}

std::string notify_socket_address(std::string_view tag, uint64_t job_id,
                                  uint64_t run) {
  std::string result = "@signalbox/";
  result += tag;
  result += "/job-";
  result += std::to_string(job_id);
  result += '-';
  result += std::to_string(run);
  return result;
}

caf::expected<unique_fd> open_notify_socket(const std::string& address) {
  auto sa = parse_unix_address(address);
  if (!sa)
    return make_error(ec::invalid_argument, "notify socket address '" +
                                                address +
                                                "' is empty or too long");
  unique_fd fd{::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (!fd)
    return system_failure("cannot create notify socket", errno);
  if (::bind(fd.get(), sa->get(), sa->length) != 0)
    return system_failure("cannot bind notify socket " + address, errno);
  return fd;
}

// -- spawning -----------------------------------------------------------------

unique_fd open_pidfd(pid_t pid) {
  // glibc 2.36's <sys/pidfd.h> lacks extern "C" (fixed in 2.37): call the
  // system call directly. pidfds are always close-on-exec.
  return unique_fd{static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))};
}

caf::expected<spawned_process> spawn_process(const spawn_request& req) {
  if (req.argv.empty() || req.argv.front().empty())
    return make_error(ec::invalid_argument, "cannot start: empty command");
  auto what = "cannot start '" + req.argv.front() + "'";
  unique_fd out_read, out_write, err_read, err_write;
  if (!make_output_pipe(out_read, out_write) ||
      !make_output_pipe(err_read, err_write))
    return system_failure(what + ": cannot create output pipes", errno);
  spawn_file_actions actions;
  auto* fa = &actions.value;
  int rc = posix_spawn_file_actions_addopen(fa, STDIN_FILENO, "/dev/null",
                                            O_RDONLY, 0);
  if (rc == 0)
    rc = posix_spawn_file_actions_adddup2(fa, out_write.get(), STDOUT_FILENO);
  if (rc == 0)
    rc = posix_spawn_file_actions_adddup2(fa, err_write.get(), STDERR_FILENO);
  // Whatever the node has open (sockets, LMDB, other jobs' pipes) stays
  // with the node, also descriptors that lack close-on-exec.
  if (rc == 0)
    rc = posix_spawn_file_actions_addclosefrom_np(fa, STDERR_FILENO + 1);
  if (rc == 0 && !req.cwd.empty())
    rc = posix_spawn_file_actions_addchdir_np(fa, req.cwd.c_str());
  if (rc != 0)
    return system_failure(what + ": cannot prepare the spawn", rc);
  spawn_attributes attributes;
  auto* attr = &attributes.value;
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t all_signals;
  sigfillset(&all_signals);
  sigdelset(&all_signals, SIGKILL);
  sigdelset(&all_signals, SIGSTOP);
  rc = posix_spawnattr_setpgroup(attr, 0); // a new group led by the child
  if (rc == 0)
    rc = posix_spawnattr_setsigmask(attr, &no_signals);
  if (rc == 0)
    rc = posix_spawnattr_setsigdefault(attr, &all_signals);
  if (rc == 0)
    rc = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP |
                                            POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF);
  if (rc != 0)
    return system_failure(what + ": cannot prepare the spawn", rc);
  auto argv = c_array(req.argv);
  auto envp = c_array(req.env);
  pid_t pid = 0;
  rc = ::posix_spawnp(&pid, argv[0], fa, attr, argv.data(), envp.data());
  if (rc != 0) {
    if (!req.cwd.empty() && directory_is_unusable(req.cwd))
      return system_failure(what + ": working directory '" + req.cwd + "'", rc);
    return system_failure(what, rc);
  }
  spawned_process result;
  result.pid = pid;
  result.pidfd = open_pidfd(pid);
  if (!result.pidfd) {
    // Without a pidfd nobody would ever reap the child: end it here. It was
    // just SIGKILLed, so this waitpid returns at once.
    auto code = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return system_failure(what + ": pidfd_open", code);
  }
  result.stdout_fd = std::move(out_read);
  result.stderr_fd = std::move(err_read);
  return result;
}

} // namespace signalbox::hal
