// A JMRI JSON client of the message service (docs/jmri.md), over either
// transport: it reads the node's hello, subscribes a client id of its own,
// confirms the subscription with a ping (success has no reply, and the node
// answers strictly in request order, so the first pong means subscribed),
// then pings at the heartbeat the hello announced, which keeps the node
// from closing it as idle. For the messages this run's writers POSTed it
// measures the POST->delivery latency and checks every publisher's order;
// other messages (the node's job status messages) are only counted.
//
// The transports (jmri_ws_client, jmri_tcp_client) move frames; everything
// else is here. All of it runs on the client's strand.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>

#include "tools/load/client.hpp"
#include "tools/load/jmri_frame.hpp"
#include "tools/load/stamp.hpp"
#include "tools/load/stats.hpp"

namespace signalbox::load {

class jmri_client : public client,
                    public std::enable_shared_from_this<jmri_client> {
public:
  /// `client_id`: unique to the run and the client; `publishers`: how many
  /// message writers stamp their messages (publisher ids 0..publishers-1).
  jmri_client(boost::asio::io_context& io, std::string run_id,
              std::string client_id, size_t publishers, run_stats& stats);

  void close() override;

  /// After the run (io threads joined): the messages received per
  /// publisher, and what the order checks found.
  const sequence_checker& messages() const { return messages_; }
  /// Whether the subscription was confirmed (only those must see every
  /// message).
  bool subscribed() const { return subscribed_; }

protected:
  using strand_type =
      boost::asio::strand<boost::asio::io_context::executor_type>;

  strand_type& strand() { return strand_; }
  run_stats& stats() { return stats_; }

  // -- called by the transport, on the strand --------------------------------

  /// The connection is open (TCP connected; WebSocket handshake done).
  void opened();
  /// Connecting or the handshake failed.
  void open_failed();
  /// One JSON text the node sent.
  void received(std::string_view text);
  /// The connection ended (an error, the node closed it, or our close).
  void ended();
  /// The write of the frame at the head of the queue finished.
  void written(boost::beast::error_code ec);

  // -- implemented by the transport ------------------------------------------

  /// Writes `frame` (it stays valid until written() is called).
  virtual void write(std::string_view frame) = 0;
  /// What the client sends last when it closes: "" for none.
  virtual std::string_view farewell() const = 0;
  /// Closing, and everything queued (the farewell last) is written.
  virtual void drained_for_close() = 0;
  /// Closes the socket at once; the pending read then fails (ended()).
  virtual void abort() = 0;

  bool closing_ = false;

private:
  void send(std::string_view frame);
  void write_next();
  void on_hello(uint64_t heartbeat_ms);
  void on_message(std::string_view text, uint64_t received_ns);
  void schedule_ping();
  /// Set up failed (the node refused the client id): count it, stop.
  void refused();

  strand_type strand_;
  boost::asio::steady_timer ping_timer_;
  std::string run_id_;
  /// {"type":"client","method":"put",...}: kept, the queue holds views.
  std::string subscribe_frame_;
  run_stats& stats_;
  jmri_frame_reader frames_;
  stamp_reader stamps_;
  stamp stamp_;
  sequence_checker messages_;
  /// Frames waiting to be written: views of constants and members.
  std::deque<std::string_view> out_;
  clock::duration heartbeat_{};
  clock::time_point next_ping_;
  bool writing_ = false;
  bool open_ = false;
  bool hello_seen_ = false;
  bool subscribed_ = false;
  bool drained_for_close_ = false;
};

} // namespace signalbox::load
