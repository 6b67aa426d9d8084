#include "tools/load/client_stream.hpp"

namespace signalbox::load {

namespace {

std::unique_ptr<boost::asio::ssl::context>& tls_context() {
  static std::unique_ptr<boost::asio::ssl::context> context;
  return context;
}

} // namespace

boost::asio::ssl::context* client_tls() {
  return tls_context().get();
}

void enable_client_tls() {
  auto ctx = std::make_unique<boost::asio::ssl::context>(
      boost::asio::ssl::context::tls_client);
  ctx->set_verify_mode(boost::asio::ssl::verify_none);
  tls_context() = std::move(ctx);
}

client_stream::client_stream(executor_type ex) {
  if (auto* ctx = client_tls())
    tls_ = std::make_unique<boost::asio::ssl::stream<tcp_stream>>(
        tcp_stream{ex}, *ctx);
  else
    plain_.emplace(ex);
}

} // namespace signalbox::load
