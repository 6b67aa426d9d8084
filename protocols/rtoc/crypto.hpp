// RTOC's password hash and application-level AES layer (docs/rtoc.md),
// through OpenSSL's libcrypto: no cryptography of our own. Pure functions,
// safe to call from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace signalbox::rtoc {

/// base64(sha256(utf8(password))): 44 characters with '=' padding. This is
/// what a client sends in `authorize`.
std::string password_hash(std::string_view password);

/// The AES-128 key: the first 16 ASCII characters of password_hash.
std::string aes_key(std::string_view password_hash);

/// base64(IV16 || AES-128-CBC(key, IV16, PKCS7(plaintext))) with a fresh
/// random IV.
std::string encrypt(std::string_view key16, std::string_view plaintext);

/// The same with a given 16-byte IV (tests).
std::string encrypt_with_iv(std::string_view key16, std::string_view iv16,
                            std::string_view plaintext);

/// The inverse of encrypt; nullopt when the text is no base64, is shorter
/// than an IV and a block, or its padding is wrong (a wrong key).
std::optional<std::string> decrypt(std::string_view key16,
                                   std::string_view wire);

/// Compares in a time that does not depend on where the inputs differ.
bool equal_constant_time(std::string_view a, std::string_view b);

} // namespace signalbox::rtoc
