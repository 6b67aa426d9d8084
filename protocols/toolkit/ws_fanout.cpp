#include "protocols/toolkit/ws_fanout.hpp"

#include <caf/actor_system.hpp>
#include <caf/group_manager.hpp>

namespace signalbox {

ws_fanout::ws_fanout(caf::actor_system& sys, boost::asio::any_io_executor io,
                     const std::vector<std::string>& groups, wire_format format)
    : format_(format), audience_(std::move(io)) {
  sink_.open(sys, [this](const notification_ptr& event) { deliver(event); });
  for (auto& name : groups) {
    auto grp = sys.groups().get_local(name);
    sink_.companion()->join(grp);
    groups_.push_back(std::move(grp));
  }
}

ws_fanout::~ws_fanout() {
  stop();
}

void ws_fanout::deliver(const notification_ptr& event) {
  auto& frame = event->encoded(format_);
  if (!frame.empty())
    audience_.send({event, frame, false, true});
}

void ws_fanout::add(http::ws_session* s) {
  audience_.add(s);
}

void ws_fanout::remove(http::ws_session* s) {
  audience_.remove(s);
}

void ws_fanout::stop() {
  if (!sink_)
    return;
  for (auto& grp : groups_)
    sink_.companion()->leave(grp);
  groups_.clear();
  sink_.retire();
}

size_t ws_fanout::size() const {
  return audience_.size();
}

fanout_session::fanout_session(http::wire&& stream, net_options limits,
                               std::shared_ptr<http::session_registry> sessions,
                               std::shared_ptr<ws_fanout> hub)
    : ws_session(std::move(stream), std::move(limits), std::move(sessions)),
      hub_(std::move(hub)) {
  // nop
}

fanout_session::~fanout_session() {
  // Normally on_closed() already did this; a session destroyed without
  // finishing (its io_context stopped first) must not stay in the fan-out.
  hub_->remove(this);
}

void fanout_session::on_open() {
  hub_->add(this);
}

void fanout_session::on_closed() {
  hub_->remove(this);
}

} // namespace signalbox
