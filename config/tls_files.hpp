// Start-up checks of a TLS identity (certificate, key, trusted CA) through
// OpenSSL, so that a wrong file is a clear configuration error (exit 2)
// instead of a failure on the first connection. CAF's OpenSSL module, for
// one, reads its files only when a link is made and aborts the node on a
// missing one (../shared/notes/cluster.md §3).
#pragma once

#include <string>

namespace signalbox {

struct tls_identity {
  std::string cert; // PEM certificate, optionally followed by its chain
  std::string key;  // PEM private key of the certificate, unencrypted
  std::string ca;   // PEM certificate(s) of the authority peers must have;
                    // empty: the certificate's chain is not checked here
};

/// Empty when the identity is usable: every file reads, the key belongs to
/// the certificate, the certificate is valid now and (with an authority) is
/// signed by it through its chain. Otherwise one sentence on what is wrong,
/// naming the file; never a key's content.
std::string tls_identity_problem(const tls_identity& identity);

/// The reason of OpenSSL's latest error without its numeric prefix, or
/// `if_none` when the queue holds none; the queue is cleared for the next
/// call. Shared by the start-up checks, the listeners' TLS contexts and
/// their handshakes.
std::string openssl_reason(const char* if_none = "unknown OpenSSL error");

/// Empty when `ca_file` holds at least one PEM certificate (an authority to
/// verify peers with); otherwise what is wrong with it.
std::string tls_authority_problem(const std::string& ca_file);

} // namespace signalbox
