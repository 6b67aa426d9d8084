#include "config/tls_files.hpp"

#include <fstream>
#include <memory>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace signalbox {

namespace {

struct ssl_ctx_free {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct store_ctx_free {
  void operator()(X509_STORE_CTX* ctx) const { X509_STORE_CTX_free(ctx); }
};

bool readable(const std::string& path) {
  std::ifstream in{path};
  return in.good();
}

std::string validity_problem(X509* cert, const std::string& path) {
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
    return path + ": the certificate is not valid yet";
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
    return path + ": the certificate has expired";
  return {};
}

/// Verifies the certificate and its chain against the context's trust
/// store (the authority), as a peer will.
std::string chain_problem(SSL_CTX* ctx, const tls_identity& id) {
  auto* cert = SSL_CTX_get0_certificate(ctx);
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx, &chain);
  std::unique_ptr<X509_STORE_CTX, store_ctx_free> verify{X509_STORE_CTX_new()};
  if (!verify || X509_STORE_CTX_init(verify.get(), SSL_CTX_get_cert_store(ctx),
                                     cert, chain) != 1)
    return "cannot verify " + id.cert + ": " + openssl_reason();
  if (X509_verify_cert(verify.get()) == 1)
    return {};
  auto code = X509_STORE_CTX_get_error(verify.get());
  ERR_clear_error();
  return id.cert + " is not accepted by the authority in " + id.ca + ": " +
         X509_verify_cert_error_string(code);
}

} // namespace

std::string tls_identity_problem(const tls_identity& id) {
  for (auto* path : {&id.cert, &id.key, &id.ca})
    if ((path != &id.ca || !id.ca.empty()) && !readable(*path))
      return "cannot read " + *path;
  std::unique_ptr<SSL_CTX, ssl_ctx_free> ctx{SSL_CTX_new(TLS_method())};
  if (!ctx)
    return "cannot make a TLS context: " + openssl_reason();
  // An encrypted key fails here rather than prompting on the terminal.
  SSL_CTX_set_default_passwd_cb(ctx.get(),
                                [](char*, int, int, void*) { return 0; });
  // The key first: loading it after the certificate would already fail on
  // a key of another certificate, with a less telling reason.
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), id.key.c_str(),
                                  SSL_FILETYPE_PEM) != 1)
    return id.key +
           " holds no unencrypted PEM private key: " + openssl_reason();
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), id.cert.c_str()) != 1)
    return id.cert + " holds no PEM certificate: " + openssl_reason();
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    return id.key + " is not the key of the certificate in " + id.cert;
  if (auto problem =
          validity_problem(SSL_CTX_get0_certificate(ctx.get()), id.cert);
      !problem.empty())
    return problem;
  if (id.ca.empty())
    return {};
  if (SSL_CTX_load_verify_locations(ctx.get(), id.ca.c_str(), nullptr) != 1)
    return id.ca + " holds no PEM certificate: " + openssl_reason();
  return chain_problem(ctx.get(), id);
}

std::string tls_authority_problem(const std::string& ca_file) {
  if (!readable(ca_file))
    return "cannot read " + ca_file;
  std::unique_ptr<SSL_CTX, ssl_ctx_free> ctx{SSL_CTX_new(TLS_method())};
  if (!ctx)
    return "cannot make a TLS context: " + openssl_reason();
  if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1)
    return ca_file + " holds no PEM certificate: " + openssl_reason();
  return {};
}

std::string openssl_reason(const char* if_none) {
  auto code = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  return reason != nullptr ? reason : if_none;
}

} // namespace signalbox
