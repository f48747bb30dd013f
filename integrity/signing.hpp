// Ed25519 signatures over checkpoint records (OpenSSL libcrypto), base64-encoded.
#pragma once

#include <memory>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace traild {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// "" when `pem` holds an Ed25519 private key, else what is wrong with it.
std::string check_signing_key(const std::string& pem);

class Signer {
 public:
  // Null with `error` set when `pem` is not an Ed25519 private key.
  static std::unique_ptr<Signer> from_pem(const std::string& pem, std::string& error);
  std::string sign_base64(std::string_view data) const;
  // The first 16 hex digits of SHA-256 over the raw 32-byte public key: names the key in
  // every signed record, so a verifier holding several public keys knows which applies.
  const std::string& key_id() const { return key_id_; }

 private:
  PkeyPtr key_;
  std::string key_id_;
};

class SignatureVerifier {
 public:
  // From a PEM public key (`openssl pkey -pubout`) or private key; null with `error` set otherwise.
  static std::unique_ptr<SignatureVerifier> from_pem(const std::string& pem, std::string& error);
  bool verify_base64(std::string_view data, std::string_view signature) const;
  const std::string& key_id() const { return key_id_; }

 private:
  PkeyPtr key_;
  std::string key_id_;
};

}  // namespace traild
