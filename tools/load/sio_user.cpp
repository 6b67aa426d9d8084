#include "tools/load/sio_user.hpp"

#include <rapidjson/document.h>

#include "tools/load/stamp.hpp"

namespace signalbox::load {

sio_user::sio_user(boost::asio::io_context& io,
                   boost::asio::ip::tcp::endpoint endpoint, std::string host,
                   std::string run_id, uint32_t user_id, std::string monitor_id,
                   double rate, double phase, run_stats& stats)
    : sio_client(io, endpoint, std::move(host), stats), timer_(strand()),
      run_id_(std::move(run_id)), user_id_(user_id),
      monitor_id_(std::move(monitor_id)),
      interval_(std::chrono::duration_cast<clock::duration>(
          std::chrono::duration<double>(1.0 / rate))),
      phase_(phase) {}

void sio_user::on_connected() {
  emit("query", R"({"monitor_id":)" + json_string(monitor_id_) + "}");
}

void sio_user::on_event(std::string_view name, const json_value*) {
  if (name == "query ok") {
    if (!ready_) {
      ready_ = true;
      stats_.ready++;
    }
  } else if (name == "command ok") {
    if (pending_.empty())
      return;
    stats_.sio_command_ok.record(now_ns() - pending_.front());
    pending_.pop_front();
    ++ok_;
    stats_.commands_ok++;
  } else if (name == "command failed") {
    if (!pending_.empty())
      pending_.pop_front();
    stats_.commands_failed++;
  } else if (name == "command finish") {
    ++finishes_;
    stats_.commands_finish++;
  } else if (name == "query failed") {
    // Set up failed (a bad or taken monitor id): the relay then sends
    // `41`, which must not count a second time as a drop.
    stats_.connects_failed++;
    abandon();
  }
}

void sio_user::start(clock::time_point until) {
  boost::asio::dispatch(strand(), [self = self(), until] {
    if (!self->ready_ || self->closing_)
      return;
    self->until_ = until;
    self->next_tick_ =
        clock::now() + std::chrono::duration_cast<clock::duration>(
                           self->interval_ * self->phase_);
    self->schedule();
  });
}

void sio_user::schedule() {
  if (next_tick_ >= until_ || closing_)
    return;
  timer_.expires_at(next_tick_);
  timer_.async_wait([self = self()](boost::system::error_code ec) {
    if (ec || self->closing_)
      return;
    self->next_tick_ += self->interval_;
    self->send_command();
    self->schedule();
  });
}

void sio_user::send_command() {
  auto t = now_ns();
  auto text = encode_stamp({run_id_, user_id_, ++seq_, t});
  pending_.push_back(t);
  stats_.commands_sent++;
  emit("command send", R"({"command":)" + json_string(text) + "}");
}

} // namespace signalbox::load
