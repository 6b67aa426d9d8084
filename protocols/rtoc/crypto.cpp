#include "protocols/rtoc/crypto.hpp"

#include <memory>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdexcept>
#include <vector>

#include "core/base64.hpp"

namespace signalbox::rtoc {

namespace {

using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, void (*)(EVP_CIPHER_CTX*)>;

cipher_ctx new_ctx() {
  return cipher_ctx{EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free};
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

constexpr size_t block = 16;

} // namespace

std::string password_hash(std::string_view password) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(password.data(), password.size(), digest, &size, EVP_sha256(),
             nullptr);
  return base64_encode(
      std::string_view{reinterpret_cast<const char*>(digest), size});
}

std::string aes_key(std::string_view password_hash) {
  return std::string{password_hash.substr(0, block)};
}

std::string encrypt(std::string_view key16, std::string_view plaintext) {
  unsigned char iv[block];
  if (RAND_bytes(iv, sizeof iv) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return encrypt_with_iv(
      key16, std::string_view{reinterpret_cast<const char*>(iv), block},
      plaintext);
}

std::string encrypt_with_iv(std::string_view key16, std::string_view iv16,
                            std::string_view plaintext) {
  if (key16.size() != block || iv16.size() != block)
    throw std::invalid_argument("AES-128 needs a 16-byte key and IV");
  auto ctx = new_ctx();
  std::string out{iv16};
  out.resize(block + plaintext.size() + block);
  auto* dst = reinterpret_cast<unsigned char*>(out.data()) + block;
  int n = 0;
  int tail = 0;
  // EVP's default padding is PKCS#7, as RTOC's.
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, bytes(key16),
                         bytes(iv16)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &n, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + n, &tail) != 1)
    throw std::runtime_error("AES-128-CBC encryption failed");
  out.resize(block + static_cast<size_t>(n + tail));
  return base64_encode(out);
}

std::optional<std::string> decrypt(std::string_view key16,
                                   std::string_view wire) {
  if (key16.size() != block)
    return std::nullopt;
  auto raw = base64_decode(wire);
  if (!raw || raw->size() < 2 * block || raw->size() % block != 0)
    return std::nullopt;
  std::string_view iv{raw->data(), block};
  std::string_view data{raw->data() + block, raw->size() - block};
  auto ctx = new_ctx();
  std::string out(data.size() + block, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int n = 0;
  int tail = 0;
  // RTOC strips data[-1] bytes unchecked; EVP checks the PKCS#7 padding,
  // which turns most wrong keys into an error instead of garbage.
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, bytes(key16),
                         bytes(iv)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &n, bytes(data),
                        static_cast<int>(data.size())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), dst + n, &tail) != 1)
    return std::nullopt;
  out.resize(static_cast<size_t>(n + tail));
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace signalbox::rtoc
