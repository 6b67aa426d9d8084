// A fix, from outside, for CAF 0.17's OpenSSL module (cluster.tls-*).
//
// OpenSSL keeps one error queue per thread, and SSL_get_error() reports
// SSL_ERROR_SSL whenever that queue is not empty, whichever connection left
// the entries there. CAF 0.17.6 (libcaf_openssl/src/openssl/session.cpp)
// never clears the queue: it is drained only inside a log statement. So
// after one failed handshake (a peer with a wrong certificate, a port
// scanner) the next SSL_read of any healthy link on the middleman's thread
// is taken for a failure and the link is closed. Measured here: a rogue
// node redialling one member cut that member's link to a good node five
// times in four seconds.
//
// OpenSSL's own rule is to clear the queue before each TLS I/O call, as
// Asio does. These definitions, linked into the executable, take the place
// of libssl's for every caller (CAF included) and do exactly that before
// calling libssl's function. No TLS is done here: only the queue is
// cleared. Later CAF versions clear the queue themselves.
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

/// libssl's definition of `name`, the next one after this executable's.
template <class Function>
Function* libssl(const char* name) {
  return reinterpret_cast<Function*>(dlsym(RTLD_NEXT, name));
}

using io_call = int(SSL*, void*, int);
using const_io_call = int(SSL*, const void*, int);
using handshake_call = int(SSL*);

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static auto* real = libssl<io_call>("SSL_read");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto* real = libssl<const_io_call>("SSL_write");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_connect(SSL* ssl) {
  static auto* real = libssl<handshake_call>("SSL_connect");
  ERR_clear_error();
  return real(ssl);
}

int SSL_accept(SSL* ssl) {
  static auto* real = libssl<handshake_call>("SSL_accept");
  ERR_clear_error();
  return real(ssl);
}

} // extern "C"
