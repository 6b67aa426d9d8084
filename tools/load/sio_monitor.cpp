#include "tools/load/sio_monitor.hpp"

#include <boost/asio/steady_timer.hpp>
#include <rapidjson/document.h>

namespace signalbox::load {

sio_monitor::sio_monitor(boost::asio::io_context& io,
                         boost::asio::ip::tcp::endpoint endpoint,
                         std::string host, std::string run_id,
                         std::string monitor_id, size_t users,
                         uint32_t think_ms, run_stats& stats)
    : sio_client(io, endpoint, std::move(host), stats),
      run_id_(std::move(run_id)), monitor_id_(std::move(monitor_id)),
      think_ms_(think_ms), commands_(users) {}

void sio_monitor::on_connected() {
  emit("con", R"({"monitor_id":)" + json_string(monitor_id_) + "}");
}

void sio_monitor::on_event(std::string_view name, const json_value* arg) {
  if (name == "con ok") {
    stats_.ready++;
  } else if (name == "con failed") {
    // Set up failed (a bad or taken monitor id): the relay then sends
    // `41`, which must not count a second time as a drop.
    stats_.connects_failed++;
    abandon();
  } else if (name == "command do") {
    auto received = now_ns();
    if (arg && arg->IsObject()) {
      auto cmd = arg->FindMember("command");
      if (cmd != arg->MemberEnd() && cmd->value.IsString()) {
        auto s = decode_stamp(
            {cmd->value.GetString(), cmd->value.GetStringLength()});
        if (s && s->run == run_id_ && commands_.record(s->pub, s->seq)) {
          stats_.commands_do++;
          if (received >= s->t_ns)
            stats_.sio_command_do.record(received - s->t_ns);
        }
      }
    }
    answer();
  }
}

void sio_monitor::answer() {
  auto reply = [self =
                    std::static_pointer_cast<sio_monitor>(shared_from_this())] {
    if (self->closing_)
      return;
    self->emit("command done", "{}");
    self->done_++;
    self->stats_.commands_done++;
  };
  if (think_ms_ == 0) {
    reply();
    return;
  }
  // One timer per command in thought: answers keep the arrival order
  // because all of them wait the same time on one strand.
  auto timer = std::make_shared<boost::asio::steady_timer>(
      strand(), std::chrono::milliseconds(think_ms_));
  timer->async_wait([timer, reply](boost::system::error_code ec) {
    if (!ec)
      reply();
  });
}

} // namespace signalbox::load
