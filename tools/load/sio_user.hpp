// An altoponix user (docs/socketio.md): `query`s its monitor, then sends
// `command send` at a fixed rate, each command text being a stamp. The
// relay answers every command with `command ok` in order, so the user
// matches them first-in first-out to measure the round trip; `command
// finish` goes to every user of the monitor and is only counted.
#pragma once

#include <deque>

#include <boost/asio/steady_timer.hpp>

#include "tools/load/sio_client.hpp"

namespace signalbox::load {

class sio_user : public sio_client {
public:
  sio_user(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint,
           std::string host, std::string run_id, uint32_t user_id,
           std::string monitor_id, double rate, double phase, run_stats& stats);

  void start(clock::time_point until) override;

  /// After the run.
  uint64_t commands_ok() const { return ok_; }
  uint64_t finishes() const { return finishes_; }
  uint32_t user_id() const { return user_id_; }

protected:
  void on_connected() override;
  void on_event(std::string_view name, const json_value* arg) override;

private:
  void schedule();
  void send_command();
  std::shared_ptr<sio_user> self() {
    return std::static_pointer_cast<sio_user>(shared_from_this());
  }

  boost::asio::steady_timer timer_;
  std::string run_id_;
  uint32_t user_id_;
  std::string monitor_id_;
  clock::duration interval_;
  double phase_;
  clock::time_point next_tick_;
  clock::time_point until_;
  uint64_t seq_ = 0;
  std::deque<uint64_t> pending_; // send times awaiting `command ok`
  uint64_t ok_ = 0;
  uint64_t finishes_ = 0;
  bool ready_ = false;
};

} // namespace signalbox::load
