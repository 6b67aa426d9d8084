// A REST writer: one keep-alive HTTP connection that writes at a fixed
// rate, one request in flight at a time (so the node commits, and notifies,
// its writes in the order they were sent). Target "value" PUTs a shared
// value whose text is this writer's next stamp; target "gpio" toggles an
// output line (see gpio_timeline.hpp for how those are matched); target
// "message" POSTs a JMRI message (/api/messages) whose text is the stamp.
//
// Ticks are scheduled at absolute times (start + k/rate) so the rate does
// not drift; a tick that finds a request still in flight is owed and sent
// as soon as the answer arrives.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tools/load/client.hpp"
#include "tools/load/client_stream.hpp"
#include "tools/load/gpio_timeline.hpp"
#include "tools/load/scenario.hpp"
#include "tools/load/stats.hpp"

namespace signalbox::load {

struct rest_writer_config {
  std::string host;
  std::string run_id;
  write_target target = write_target::value;
  /// Publisher id (value and message writers; numbered from 0 over the
  /// run's writers of the target).
  uint32_t pub = 0;
  double rate = 1;
  /// Phase of the first tick, as a fraction of the interval, so that many
  /// writers do not all fire at once.
  double phase = 0;
  /// Value writers: the key; gpio writers: empty.
  std::string key;
  bool persistent = false;
  /// Gpio writers: the line's timeline; value writers: null.
  std::shared_ptr<gpio_timeline> line;
};

class rest_writer : public client,
                    public std::enable_shared_from_this<rest_writer> {
public:
  rest_writer(boost::asio::io_context& io,
              boost::asio::ip::tcp::endpoint endpoint, rest_writer_config cfg,
              run_stats& stats);

  void connect() override;
  void start(clock::time_point until) override;
  void close() override;

  /// After the run: writes the node confirmed (2xx).
  uint64_t acknowledged() const { return acked_; }
  const rest_writer_config& config() const { return cfg_; }

private:
  using request = boost::beast::http::request<boost::beast::http::string_body>;
  using response =
      boost::beast::http::response<boost::beast::http::string_body>;

  void on_connect(boost::beast::error_code ec);
  void read_initial_gpio();
  void schedule();
  void on_tick(boost::beast::error_code ec);
  void send();
  void exchange(request req,
                std::function<void(boost::beast::error_code)> done);
  void fail();
  void disconnect();

  client_stream stream_; // plain or TLS
  boost::asio::steady_timer timer_;
  boost::asio::ip::tcp::endpoint endpoint_;
  rest_writer_config cfg_;
  run_stats& stats_;
  boost::beast::flat_buffer buffer_;
  request req_;
  response res_;
  clock::duration interval_;
  clock::time_point next_tick_;
  clock::time_point until_;
  uint64_t seq_ = 0;
  uint64_t owed_ = 0;
  uint64_t acked_ = 0;
  bool in_flight_ = false;
  bool connected_ = false;
  bool broken_ = false;
  bool closing_ = false;
};

} // namespace signalbox::load
