#include "integrity/chain.hpp"

#include "common/hex.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <cstring>
#include <stdexcept>

namespace traild {
std::string sha256_hex(std::string_view data) {
  ChainHasher hasher;
  char hex[kChainHashHex];
  hasher.begin();
  hasher.update(data);
  hasher.finish(hex);
  return std::string(hex, kChainHashHex);
}

ChainHasher::ChainHasher(std::string key) : key_(std::move(key)) {
  if (key_.empty()) {
    sha256_ = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (sha256_ != nullptr) md_ = EVP_MD_CTX_new();
  } else {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac != nullptr) mac_ = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context keeps its own reference
  }
  if (md_ == nullptr && mac_ == nullptr) throw std::runtime_error("OpenSSL: cannot create a SHA-256/HMAC context");
}

ChainHasher::~ChainHasher() {
  EVP_MD_CTX_free(md_);
  EVP_MD_free(sha256_);
  EVP_MAC_CTX_free(mac_);
}

void ChainHasher::begin() {
  if (md_ != nullptr) {
    EVP_DigestInit_ex2(md_, sha256_, nullptr);
    return;
  }
  if (mac_keyed_) {
    EVP_MAC_init(mac_, nullptr, 0, nullptr);  // the same key again: skips re-deriving its pads
    return;
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  EVP_MAC_init(mac_, reinterpret_cast<const unsigned char*>(key_.data()), key_.size(), params);
  mac_keyed_ = true;
}

void ChainHasher::update(std::string_view data) {
  if (md_ != nullptr) EVP_DigestUpdate(md_, data.data(), data.size());
  else EVP_MAC_update(mac_, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

void ChainHasher::finish(char hex[kChainHashHex]) {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  if (md_ != nullptr) {
    unsigned int n = 0;
    EVP_DigestFinal_ex(md_, bytes, &n);
  } else {
    size_t n = 0;
    EVP_MAC_final(mac_, bytes, &n, sizeof bytes);
  }
  hex_encode(bytes, kChainHashHex / 2, hex);
}

void ChainHasher::hash_line(std::string_view line, size_t member_at, char hex[kChainHashHex]) {
  begin();
  update(line.substr(0, member_at));
  update(line.substr(member_at + kHashMemberBytes));
  finish(hex);
}

namespace {
// `"prev":"`: the chain object's second member starts right after the hash member.
constexpr std::string_view kPrevMemberPrefix = "\"prev\":\"";
}  // namespace

void append_unsealed(std::string_view line, size_t hash_at, std::string& out, std::vector<ChainSlot>& slots) {
  const size_t at = out.size();
  // Appends, not resize() and copies into the gap: resize would first fill the whole line
  // with NULs, a second pass over ~1 KB per event for nothing.
  out.append(line.data(), hash_at);
  out.append(kHashMemberPrefix);
  out.append(kChainHashHex, '0');
  out.append("\",", 2);
  out.append(line.data() + hash_at, line.size() - hash_at);
  slots.push_back({at, at + hash_at});
}

void ChainSealer::seal(std::string& events, std::span<const ChainSlot> slots, std::string& head) {
  // A head that is not a hash (the tail's last line was edited) does not fit the placeholder:
  // the chain goes on from the genesis value, a break trailctl verify reports.
  if (!slots.empty() && head.size() != kChainHashHex) head.assign(kGenesisHash);
  char hex[kChainHashHex];
  for (size_t i = 0; i < slots.size(); ++i) {
    const ChainSlot& s = slots[i];
    const size_t line_end = i + 1 < slots.size() ? slots[i + 1].line_start : events.size();  // after its '\n'
    char* hash = events.data() + s.hash_at + kHashMemberPrefix.size();
    char* prev = events.data() + s.hash_at + kHashMemberBytes + kPrevMemberPrefix.size();
    std::memcpy(prev, head.data(), kChainHashHex);
    const std::string_view line(events.data() + s.line_start, line_end - 1 - s.line_start);
    hasher_.hash_line(line, s.hash_at - s.line_start, hex);
    std::memcpy(hash, hex, kChainHashHex);
    head.assign(hex, kChainHashHex);
  }
}

bool ChainStamper::stamp_unsealed(std::string_view line, uint64_t sequence, std::string& out,
                                  std::vector<ChainSlot>& slots) {
  simdjson::dom::object root;
  if (parser_.parse(line.data(), line.size(), false).get_object().get(root) != simdjson::SUCCESS) return false;
  canonical_.clear();
  const size_t at = writer_.write_event(root, {kGenesisHash, sequence}, canonical_);  // prev: a placeholder
  canonical_.push_back('\n');
  append_unsealed(canonical_, at, out, slots);
  return true;
}

bool ChainStamper::stamp(std::string_view line, uint64_t sequence, std::string& out) {
  slot_.clear();
  if (!stamp_unsealed(line, sequence, out, slot_)) return false;
  sealer_.seal(out, slot_, prev_);  // the one line, at the end of `out`
  return true;
}

}  // namespace traild
