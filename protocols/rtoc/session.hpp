// An RTOC connection over a plain websocket (signalbox's own framing,
// protocols/http/ws_session.hpp).
#pragma once

#include <memory>
#include <string>

#include "protocols/http/ws_session.hpp"
#include "protocols/rtoc/connection.hpp"

namespace signalbox::rtoc {

class session : public http::ws_session {
public:
  session(http::wire&& stream, net_options limits,
          std::shared_ptr<http::session_registry> sessions,
          std::shared_ptr<const session_settings> settings, std::string peer);

protected:
  void on_open() override;
  void on_message(std::string_view text) override;
  void on_binary_message(std::string_view data) override;
  void on_closed() override;

private:
  class adapter;

  std::shared_ptr<const session_settings> settings_;
  std::string peer_;
  std::shared_ptr<connection> conn_;
};

} // namespace signalbox::rtoc
