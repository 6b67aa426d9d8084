// RTOC's password hash and AES layer (protocols/rtoc/crypto.hpp), against
// the vectors of RTOC's own RTWebsocket.py and the standards' known answers.
#define CAF_SUITE rtoc_crypto
#include <string>

#include <caf/test/unit_test.hpp>

#include "protocols/rtoc/crypto.hpp"

using namespace signalbox::rtoc;

namespace {

std::string iv_0_to_15() {
  std::string iv;
  for (char c = 0; c < 16; ++c)
    iv += c;
  return iv;
}

} // namespace

CAF_TEST(the password hash and key of the RTOC vector) {
  auto hash = password_hash("geheim");
  CAF_CHECK_EQUAL(hash, "rdsPXngmyFfXN20b2bwzwMVEeQourJYUSoryKxKYyUA=");
  CAF_CHECK_EQUAL(hash.size(), 44u);
  CAF_CHECK_EQUAL(aes_key(hash), "rdsPXngmyFfXN20b");
  // SHA-256 known answers, base64-encoded.
  CAF_CHECK_EQUAL(password_hash(""),
                  "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  CAF_CHECK_EQUAL(password_hash("abc"),
                  "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
}

CAF_TEST(the frame of the TypeScript app decrypts) {
  auto plain = decrypt("rdsPXngmyFfXN20b",
                       "AqA9v8IMAWYhQ4fDc/p5IZJwel6zGhGtQGeR3rKqKSM=");
  CAF_REQUIRE(plain.has_value());
  CAF_CHECK_EQUAL(*plain, R"({"Wow":true})");
}

CAF_TEST(encryption with a known IV matches the RTOC vector) {
  auto wire = encrypt_with_iv(
      "rdsPXngmyFfXN20b", iv_0_to_15(),
      R"({"authorize": "rdsPXngmyFfXN20b2bwzwMVEeQourJYUSoryKxKYyUA="})");
  CAF_CHECK_EQUAL(wire, "AAECAwQFBgcICQoLDA0OD5+4hTJ75R+zKdZHN9tYUAsB7MoekjI"
                        "nMCZMozfpx/E65i3Ut4BlqC82D3vHTjyjxRuHF0tFZaE4dn1UHwW"
                        "DQOk=");
}

CAF_TEST(every frame gets a fresh IV and decrypts) {
  auto key = aes_key(password_hash("secret"));
  for (size_t n = 0; n <= 40; ++n) {
    std::string text(n, 'x');
    auto a = encrypt(key, text);
    auto b = encrypt(key, text);
    CAF_CHECK_NOT_EQUAL(a, b);
    auto back = decrypt(key, a);
    CAF_REQUIRE(back.has_value());
    CAF_CHECK_EQUAL(*back, text);
  }
}

CAF_TEST(bad frames do not decrypt) {
  auto key = aes_key(password_hash("secret"));
  auto wire = encrypt(key, R"({"getSignalList":true})");
  // Another key: the padding check fails (or, rarely, garbage comes out;
  // never the plaintext).
  auto other = decrypt(aes_key(password_hash("wrong")), wire);
  CAF_CHECK(!other || *other != R"({"getSignalList":true})");
  CAF_CHECK(!decrypt(key, "").has_value());
  CAF_CHECK(!decrypt(key, "not base64!").has_value());
  CAF_CHECK(!decrypt(key, "AAAA").has_value()); // too short
  CAF_CHECK(!decrypt(key, wire.substr(0, wire.size() - 4)).has_value());
  CAF_CHECK(!decrypt(key, R"({"authorize":true})").has_value()); // plain JSON
  CAF_CHECK(!decrypt("short", wire).has_value());
}

CAF_TEST(constant time comparison) {
  CAF_CHECK(equal_constant_time("abc", "abc"));
  CAF_CHECK(!equal_constant_time("abc", "abd"));
  CAF_CHECK(!equal_constant_time("abc", "ab"));
  CAF_CHECK(equal_constant_time("", ""));
}
