#include "core/messages.hpp"

namespace signalbox {

const char* to_string(job_status x) {
  switch (x) {
  case job_status::unknown:
    return "unknown";
  case job_status::running:
    return "running";
  case job_status::starting:
    return "starting";
  case job_status::stopping:
    return "stopping";
  case job_status::stopped:
    return "stopped";
  case job_status::failed_to_start:
    return "failed-to-start";
  case job_status::exited:
    return "exited";
  case job_status::exited_with_error:
    return "exited-with-error";
  case job_status::crashed:
    return "crashed";
  case job_status::killed_by_watchdog:
    return "killed-by-watchdog";
  }
  return "unknown";
}

const char* to_string(restart_policy x) {
  switch (x) {
  case restart_policy::no:
    return "no";
  case restart_policy::on_failure:
    return "on-failure";
  case restart_policy::always:
    return "always";
  }
  return "no";
}

const char* to_string(job_origin x) {
  return x == job_origin::config ? "config" : "api";
}

const char* to_string(gpio_direction x) {
  return x == gpio_direction::input ? "input" : "output";
}

const char* to_string(value_change x) {
  switch (x) {
  case value_change::added:
    return "added";
  case value_change::updated:
    return "updated";
  case value_change::removed:
    return "removed";
  }
  return "updated";
}

bool from_string(const std::string& str, restart_policy& x) {
  if (str == "no")
    x = restart_policy::no;
  else if (str == "on-failure")
    x = restart_policy::on_failure;
  else if (str == "always")
    x = restart_policy::always;
  else
    return false;
  return true;
}

bool from_string(const std::string& str, gpio_direction& x) {
  if (str == "input" || str == "in")
    x = gpio_direction::input;
  else if (str == "output" || str == "out")
    x = gpio_direction::output;
  else
    return false;
  return true;
}

const char* to_string(member_state x) {
  switch (x) {
  case member_state::connecting:
    return "connecting";
  case member_state::up:
    return "up";
  case member_state::down:
    return "down";
  }
  return "down";
}

} // namespace signalbox
