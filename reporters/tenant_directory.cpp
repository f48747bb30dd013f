#include "reporters/tenant_directory.hpp"

#include <dirent.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <memory>

#include "common/hex.hpp"

namespace traild {
namespace {

constexpr size_t kHashHexDigits = 32;
// What a long name keeps of its encoded value: the rest of kMaxTenantDirectoryBytes holds
// "~" and the hash.
constexpr size_t kKeptBytes = kMaxTenantDirectoryBytes - 1 - kHashHexDigits;

bool kept_as_is(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

std::string tenant_directory_name(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string name;
  name.reserve(value.size());
  for (unsigned char c : value) {
    if (kept_as_is(c)) {
      name.push_back(static_cast<char>(c));
    } else {
      name.push_back('%');
      name.push_back(kHex[c >> 4]);
      name.push_back(kHex[c & 15]);
    }
  }
  if (name.size() <= kMaxTenantDirectoryBytes) return name;
  size_t keep = kKeptBytes;
  // Never cut a %XX in half.
  if (name[keep - 1] == '%') keep -= 1;
  else if (name[keep - 2] == '%') keep -= 2;
  name.resize(keep);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(value.data()), value.size(), digest);
  name.push_back('~');
  const size_t at = name.size();
  name.resize(at + kHashHexDigits);
  hex_encode(digest, kHashHexDigits / 2, name.data() + at);
  return name;
}

bool is_tenant_directory_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTenantDirectoryBytes) return false;
  const size_t tilde = name.find('~');
  const std::string_view encoded = name.substr(0, tilde);
  if (encoded.empty()) return false;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (kept_as_is(static_cast<unsigned char>(encoded[i]))) continue;
    if (encoded[i] != '%' || i + 2 >= encoded.size() || hex_digit_value(encoded[i + 1]) < 0 ||
        hex_digit_value(encoded[i + 2]) < 0)
      return false;
    i += 2;
  }
  if (tilde == std::string_view::npos) return true;
  const std::string_view hash = name.substr(tilde + 1);
  if (hash.size() != kHashHexDigits) return false;
  for (char c : hash)
    if (hex_digit_value(c) < 0) return false;
  return true;
}

std::vector<TenantDirectory> tenant_directories(const std::string& output_directory) {
  std::vector<TenantDirectory> found;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(output_directory.c_str()), ::closedir);
  if (!d) return found;
  while (dirent* e = ::readdir(d.get())) {
    if (!is_tenant_directory_name(e->d_name)) continue;
    struct stat st;
    const std::string path = output_directory + "/" + e->d_name;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    found.push_back({e->d_name, static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec});
  }
  return found;
}

}  // namespace traild
