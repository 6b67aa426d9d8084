// The node's TLS server identity (net.tls-cert, net.tls-key and, for mutual
// TLS, net.tls-client-ca) as an OpenSSL context every TLS listener shares.
// SIGHUP re-reads the files: connections made afterwards use the new
// certificate, connections already up keep theirs (OpenSSL holds the old
// context for them), so a renewal drops nobody.
#pragma once

#include <memory>
#include <mutex>
#include <string>

struct ssl_st;     // OpenSSL's SSL
struct ssl_ctx_st; // OpenSSL's SSL_CTX

namespace signalbox::http {

class tls_server {
public:
  /// The context for a certificate, its key and, optionally, the
  /// authority clients must show a certificate of; null and `error` set
  /// when the files cannot be used (read, matched, valid now).
  static std::shared_ptr<tls_server> make(const std::string& cert,
                                          const std::string& key,
                                          const std::string& client_ca,
                                          std::string& error);

  /// Re-reads the files. On a problem the old identity stays in use and
  /// the problem is returned; "" on success.
  std::string reload();

  /// A server-side TLS state for one accepted connection, with the current
  /// identity; null when OpenSSL cannot make one.
  ssl_st* new_connection() const;

  /// Clients must show a certificate (net.tls-client-ca).
  bool verifies_clients() const { return !client_ca_.empty(); }

private:
  tls_server(std::string cert, std::string key, std::string client_ca);

  std::string cert_;
  std::string key_;
  std::string client_ca_;
  mutable std::mutex mutex_;
  std::shared_ptr<ssl_ctx_st> context_; // guarded by mutex_
};

} // namespace signalbox::http
