// An altoponix monitor (docs/socketio.md): registers its id with `con`,
// then answers every `command do` with `command done`, after think_ms. It
// decodes the stamp in each command to measure the user->monitor latency
// and to check each user's commands for loss and order.
#pragma once

#include <atomic>

#include "tools/load/sio_client.hpp"
#include "tools/load/stamp.hpp"

namespace signalbox::load {

class sio_monitor : public sio_client {
public:
  /// `users`: how many users the run has (user ids 0..users-1).
  sio_monitor(boost::asio::io_context& io,
              boost::asio::ip::tcp::endpoint endpoint, std::string host,
              std::string run_id, std::string monitor_id, size_t users,
              uint32_t think_ms, run_stats& stats);

  const std::string& monitor_id() const { return monitor_id_; }
  /// `command done`s sent so far (read while running by the drain check).
  uint64_t done() const { return done_.load(); }
  /// After the run: the commands received per user, and their order.
  const sequence_checker& commands() const { return commands_; }

protected:
  void on_connected() override;
  void on_event(std::string_view name, const json_value* arg) override;

private:
  void answer();

  std::string run_id_;
  std::string monitor_id_;
  uint32_t think_ms_;
  sequence_checker commands_;
  std::atomic<uint64_t> done_{0};
};

} // namespace signalbox::load
