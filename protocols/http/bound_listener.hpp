// A listener bound to its port under a service name, as the node sees it
// (listener_handle): bound first, so that the listening line can name the
// real port, and run once its site is ready.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <caf/expected.hpp>

#include "core/errors.hpp"
#include "protocols/http/listener.hpp"
#include "protocols/http/listener_handle.hpp"

namespace signalbox::http {

class bound_listener : public listener_handle {
public:
  bound_listener(std::string service, std::shared_ptr<listener> impl)
      : service_(std::move(service)), impl_(std::move(impl)),
        endpoint_(impl_->local_endpoint()) {
    // nop
  }

  std::string service() const override { return service_; }
  std::string address() const override {
    return endpoint_.address().to_string();
  }
  uint16_t port() const override { return endpoint_.port(); }
  bool secure() const override { return impl_->secure(); }
  void stop() override { impl_->stop(); }
  size_t connections() const override { return impl_->sessions()->size(); }

  listener_stats stats() const override {
    auto& sessions = *impl_->sessions();
    auto& c = sessions.counters();
    listener_stats out;
    out.connections = sessions.size();
    out.queued_bytes = sessions.queued_bytes();
    out.frames_received = c.frames_received.value();
    out.frames_sent = c.frames_sent.value();
    out.slow_consumers = c.slow_consumers.value();
    out.oversized_messages = c.oversized_messages.value();
    out.refused = c.refused.value();
    out.tls_failures = c.tls_failures.value();
    return out;
  }

  listener& impl() { return *impl_; }

private:
  std::string service_;
  std::shared_ptr<listener> impl_;
  boost::asio::ip::tcp::endpoint endpoint_;
};

/// Binds `service` on net.address:`port`; an ec::system_error naming the
/// service when the port cannot be bound. With `tls` (the node's identity,
/// when the interface's switch is on) the port speaks TLS, and a client
/// speaking plain text there gets `plain_refusal` (default: an HTTP 400).
inline caf::expected<std::shared_ptr<bound_listener>>
bind_listener(boost::asio::io_context& io, const net_options& net,
              const char* service, uint16_t port,
              std::shared_ptr<tls_server> tls = nullptr,
              std::string plain_refusal = http_plain_refusal()) {
  auto impl = std::make_shared<listener>(io, net);
  if (auto err = impl->open(net.address, port); !err.empty())
    return make_error(ec::system_error, std::string{service} + ": " + err);
  if (tls)
    impl->use_tls(std::make_shared<const tls_port>(
        tls_port{std::move(tls), service, std::move(plain_refusal)}));
  return std::make_shared<bound_listener>(service, std::move(impl));
}

} // namespace signalbox::http
