#include "protocols/ttmnotify/session.hpp"

#include "protocols/ttmnotify/fanout.hpp"

namespace signalbox::ttmnotify {

session::session(http::beast::tcp_stream&& stream, net_options limits,
                 std::shared_ptr<http::session_registry> sessions,
                 std::shared_ptr<http::ws_counters> counters,
                 std::shared_ptr<fanout> hub)
    : ws_session(std::move(stream), std::move(limits), std::move(sessions),
                 std::move(counters)),
      hub_(std::move(hub)) {
  // nop
}

void session::on_open() {
  hub_->add(this);
}

session::~session() {
  // Normally on_closed() already did this; a session destroyed without
  // finishing (its io_context stopped first) must not stay in the fan-out.
  hub_->remove(this);
}

void session::on_closed() {
  hub_->remove(this);
}

} // namespace signalbox::ttmnotify
