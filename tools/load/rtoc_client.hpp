// The RTOC clients of the load generator, as RTOC's RTWebsocketClient talks
// (docs/rtoc.md): connect to `/`, send `authorize` with base64(sha256(
// password)) and wait for `{"authorized":true}`, then requests answered one
// reply each, in order, with pushes in between. With `aes` every frame is
// AES-128-CBC with the key from the password, both ways (crypto through the
// node's own libcrypto wrapper, protocols/rtoc/crypto.hpp).
//
//   rtoc_writer      sends data requests (rtoc_frames.hpp) at its rate, or
//                    as fast as its window of requests in flight allows;
//                    counts the samples the node acknowledged and the
//                    request latency.
//   rtoc_subscriber  subscribes to every writer's signals by name and checks
//                    loss, order and latency of every pushed sample.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "tools/load/raw_ws_client.hpp"
#include "tools/load/rtoc_frames.hpp"
#include "tools/load/stamp.hpp"
#include "tools/load/stats.hpp"

namespace signalbox::load {

struct rtoc_credentials {
  std::string password; ///< "" for none
  bool aes = false;
};

/// What both kinds share: authorize, AES, replies in request order.
class rtoc_client : public raw_ws_client {
public:
  rtoc_client(boost::asio::io_context& io,
              boost::asio::ip::tcp::endpoint endpoint, std::string host,
              const rtoc_credentials& credentials, run_stats& stats);

protected:
  /// Authorized and the authorize request answered: the client may send
  /// its requests.
  virtual void on_authorized() = 0;
  /// The reply to the oldest request in flight after authorize (`ok`:
  /// "error":false).
  virtual void on_reply(bool ok) = 0;
  /// A sample push.
  virtual void on_sample(const rtoc_frame& f) {}

  /// Sends one request (encrypted when the client uses AES).
  void request(std::string_view json);

private:
  void on_open() final;
  void on_message(std::string_view payload) final;

  std::string key_; ///< the AES key, empty without AES
  std::string authorize_;
  rtoc_frame_reader reader_;
  /// Requests sent and not answered: the authorize one first.
  uint64_t in_flight_ = 0;
  bool authorized_ = false;
  bool authorize_answered_ = false;
};

struct rtoc_writer_config {
  uint32_t pub = 0; ///< the writer's number in the run
  std::string device;
  std::vector<std::string> signals;
  double rate = 0;  ///< requests per second; 0: as fast as the window allows
  double phase = 0; ///< of the first tick, in [0, 1) of a period
  uint32_t batch = 1;
  uint32_t window = 1;
  /// Samples to send in all (0: until the run ends).
  uint64_t samples = 0;
  /// now_ns() at the run's epoch: y = send time - epoch.
  uint64_t epoch_ns = 0;
  rtoc_credentials credentials;
};

class rtoc_writer : public rtoc_client {
public:
  rtoc_writer(boost::asio::io_context& io,
              boost::asio::ip::tcp::endpoint endpoint, std::string host,
              rtoc_writer_config config, run_stats& stats);

  void start(clock::time_point until) override;

  const rtoc_writer_config& config() const { return cfg_; }
  /// Samples of requests answered "error":false (after the run).
  uint64_t acknowledged() const { return acked_; }
  /// Every sample of a capped writer is answered (any thread).
  bool finished() const { return finished_.load(); }

protected:
  void on_authorized() override;
  void on_reply(bool ok) override;

private:
  void tick();
  void send_batch();
  /// Whether the samples cap is reached.
  bool capped() const;

  rtoc_writer_config cfg_;
  rtoc_request_builder builder_;
  boost::asio::steady_timer timer_;
  clock::time_point until_;
  clock::time_point next_;
  /// Send times and sizes of the requests in flight (the oldest first).
  std::deque<std::pair<uint64_t, uint32_t>> sent_ns_;
  uint64_t next_seq_ = 1;
  uint64_t acked_ = 0;
  uint64_t answered_ = 0; ///< samples of answered requests, ok or not
  bool set_up_ = false;   ///< authorized: start() may send
  bool running_ = false;
  std::atomic<bool> finished_{false};
};

class rtoc_subscriber : public rtoc_client {
public:
  /// `writers`: every writer's device and signals, index = publisher.
  rtoc_subscriber(boost::asio::io_context& io,
                  boost::asio::ip::tcp::endpoint endpoint, std::string host,
                  const std::vector<rtoc_writer_config>& writers,
                  uint64_t epoch_ns, const rtoc_credentials& credentials,
                  run_stats& stats);

  /// After the run: samples received per writer, order checks.
  const sequence_checker& samples() const { return samples_; }
  bool subscribed() const { return subscribed_; }

protected:
  void on_authorized() override;
  void on_reply(bool ok) override;
  void on_sample(const rtoc_frame& f) override;

private:
  std::string device_;
  /// "Dev.Sig" of each writer signal -> writer.
  std::unordered_map<std::string, uint32_t> writer_of_;
  std::string name_; ///< the lookup key, reused
  std::vector<std::string> subscribe_requests_;
  size_t subscribe_replies_ = 0;
  uint64_t epoch_ns_;
  sequence_checker samples_;
  bool subscribed_ = false;
};

} // namespace signalbox::load
