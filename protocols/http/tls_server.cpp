#include "protocols/http/tls_server.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "config/tls_files.hpp"

namespace signalbox::http {

namespace {

/// A server context: TLS 1.2 or newer, OpenSSL's default ciphers, and the
/// modes the wire's non-blocking writes rely on.
std::shared_ptr<ssl_ctx_st> make_context(const std::string& cert,
                                         const std::string& key,
                                         const std::string& client_ca,
                                         std::string& error) {
  std::shared_ptr<SSL_CTX> ctx{SSL_CTX_new(TLS_server_method()), SSL_CTX_free};
  if (!ctx) {
    error = "cannot make a TLS context: " + openssl_reason();
    return nullptr;
  }
  auto* c = ctx.get();
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  // No renegotiation (a client could make the server work for nothing),
  // and a peer's missing close_notify is an ordinary end. Kernel TLS
  // (SSL_OP_ENABLE_KTLS) stays off: it is kept only once measured faster,
  // and no machine here has the kernel's tls module (docs/design.md).
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION |
                             SSL_OP_IGNORE_UNEXPECTED_EOF |
                             SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Partial writes and retries from another address: the wire gathers a
  // batch into a per-thread buffer for each attempt. Released buffers: an
  // idle connection keeps no 34 KiB of record buffers.
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE |
                          SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                          SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_default_passwd_cb(c, [](char*, int, int, void*) { return 0; });
  if (SSL_CTX_use_certificate_chain_file(c, cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(c, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(c) != 1) {
    error = "cannot use " + cert + " with " + key + ": " + openssl_reason();
    return nullptr;
  }
  // Resumption by stateless tickets only: a server-side session cache
  // would keep every client's session in memory.
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  static const unsigned char session_context[] = "signalbox";
  SSL_CTX_set_session_id_context(c, session_context,
                                 sizeof(session_context) - 1);
  if (!client_ca.empty()) {
    auto* names = SSL_load_client_CA_file(client_ca.c_str());
    if (names == nullptr ||
        SSL_CTX_load_verify_locations(c, client_ca.c_str(), nullptr) != 1) {
      if (names != nullptr)
        sk_X509_NAME_pop_free(names, X509_NAME_free);
      error = "cannot use " + client_ca + ": " + openssl_reason();
      return nullptr;
    }
    SSL_CTX_set_client_CA_list(c, names);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       nullptr);
  }
  return ctx;
}

/// The start-up checks (readable, matching, valid now) and then the
/// context.
std::shared_ptr<ssl_ctx_st> checked_context(const std::string& cert,
                                            const std::string& key,
                                            const std::string& client_ca,
                                            std::string& error) {
  error = tls_identity_problem({cert, key, ""});
  if (error.empty() && !client_ca.empty())
    error = tls_authority_problem(client_ca);
  if (!error.empty())
    return nullptr;
  return make_context(cert, key, client_ca, error);
}

} // namespace

tls_server::tls_server(std::string cert, std::string key, std::string client_ca)
    : cert_(std::move(cert)), key_(std::move(key)),
      client_ca_(std::move(client_ca)) {
  // nop
}

std::shared_ptr<tls_server> tls_server::make(const std::string& cert,
                                             const std::string& key,
                                             const std::string& client_ca,
                                             std::string& error) {
  auto ctx = checked_context(cert, key, client_ca, error);
  if (!ctx)
    return nullptr;
  std::shared_ptr<tls_server> result{new tls_server(cert, key, client_ca)};
  result->context_ = std::move(ctx);
  return result;
}

std::string tls_server::reload() {
  std::string error;
  auto ctx = checked_context(cert_, key_, client_ca_, error);
  if (!ctx)
    return error;
  std::lock_guard<std::mutex> guard{mutex_};
  context_ = std::move(ctx);
  return {};
}

ssl_st* tls_server::new_connection() const {
  std::shared_ptr<SSL_CTX> ctx;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    ctx = context_;
  }
  // The connection holds its own reference to the context (SSL_new takes
  // one), so a reload may drop ours.
  return SSL_new(ctx.get());
}

} // namespace signalbox::http
