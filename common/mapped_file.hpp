// A regular file mapped read-only, for scanning a trail file where it lies instead of
// copying it: trailctl query and trailctl verify read gigabytes this way. Symlinks are not
// followed. The mapping covers the size the file had when opened; traild only appends and
// never truncates, so the mapped bytes stay valid while traild writes on.
#pragma once

#include <string>
#include <string_view>

namespace traild {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  bool ok() const { return ok_; }  // false: could not be opened or mapped (errno_value says why)
  int errno_value() const { return errno_; }
  std::string_view view() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  bool ok_ = false;
  int errno_ = 0;
};

}  // namespace traild
