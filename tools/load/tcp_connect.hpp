// The first step of every simulated client: the TCP connection to the node,
// counted and bounded in time, on the client's strand.
#pragma once

#include <chrono>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "tools/load/stats.hpp"

namespace signalbox::load {

/// Counts the attempt in `stats` and connects `tcp` to `endpoint` within
/// 10 s; then calls `on_connect(ec)` on the stream's strand. `on_connect`
/// keeps the client (and so `tcp`) alive.
template <class Handler>
void connect_tcp(boost::beast::tcp_stream& tcp,
                 boost::asio::ip::tcp::endpoint endpoint, run_stats& stats,
                 Handler on_connect) {
  boost::asio::dispatch(
      tcp.get_executor(),
      [&tcp, endpoint, &stats, on_connect = std::move(on_connect)]() mutable {
        stats.connects_started++;
        tcp.expires_after(std::chrono::seconds(10));
        tcp.async_connect(endpoint, std::move(on_connect));
      });
}

} // namespace signalbox::load
