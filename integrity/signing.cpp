#include "integrity/signing.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/hex.hpp"

namespace traild {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

PkeyPtr read_pem(const std::string& pem, bool is_private) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  EVP_PKEY* key = is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                             : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  return PkeyPtr(key);
}

std::string key_id_of(EVP_PKEY* key) {
  unsigned char raw[64];
  size_t n = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key, raw, &n) != 1) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(raw, n, digest, &len, EVP_sha256(), nullptr);
  std::string id(16, '0');
  hex_encode(digest, 8, id.data());
  return id;
}

}  // namespace

void PkeyFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

std::string check_signing_key(const std::string& pem) {
  std::string error;
  return Signer::from_pem(pem, error) ? std::string() : error;
}

std::unique_ptr<Signer> Signer::from_pem(const std::string& pem, std::string& error) {
  PkeyPtr key = read_pem(pem, true);
  if (!key) {
    error = "not a PEM private key (create one with `openssl genpkey -algorithm ed25519 -out FILE`)";
    return nullptr;
  }
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    error = "the private key is not an Ed25519 key (create one with `openssl genpkey -algorithm ed25519 -out FILE`)";
    return nullptr;
  }
  auto signer = std::unique_ptr<Signer>(new Signer);
  signer->key_id_ = key_id_of(key.get());
  signer->key_ = std::move(key);
  return signer;
}

std::string Signer::sign_base64(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t len = sizeof sig;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return {};
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), sig, static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::unique_ptr<SignatureVerifier> SignatureVerifier::from_pem(const std::string& pem, std::string& error) {
  PkeyPtr key = read_pem(pem, false);
  if (!key) key = read_pem(pem, true);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    error = "not an Ed25519 public key in PEM form (`openssl pkey -in SIGNING_KEY -pubout`)";
    return nullptr;
  }
  auto verifier = std::unique_ptr<SignatureVerifier>(new SignatureVerifier);
  verifier->key_id_ = key_id_of(key.get());
  verifier->key_ = std::move(key);
  return verifier;
}

bool SignatureVerifier::verify_base64(std::string_view data, std::string_view signature) const {
  if (signature.size() != 88) return false;  // 64 bytes in base64
  unsigned char sig[66];
  if (EVP_DecodeBlock(sig, reinterpret_cast<const unsigned char*>(signature.data()), 88) != 66) return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), sig, 64, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

}  // namespace traild
