// What of the trail stays in the page cache (output.page_cache_window, docs/files.md): the
// pages of written lines more than a window behind the end are dropped once on disk, so the
// trail's cached share stays about the window whatever has been written. Checked with
// mincore(2), which says which pages of a file the page cache holds, as `fincore` does.
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "harness.hpp"

namespace traild::test {
namespace {

constexpr uint64_t kMiB = 1 << 20;

// Bytes of `file` in the page cache.
uint64_t cached_bytes(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  const auto size = static_cast<size_t>(fs::file_size(file));
  uint64_t cached = 0;
  if (size > 0) {
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (map != MAP_FAILED) {
      const long page = ::sysconf(_SC_PAGESIZE);
      std::vector<unsigned char> resident((size + page - 1) / page);
      if (::mincore(map, size, resident.data()) == 0)
        for (unsigned char r : resident) cached += (r & 1) ? page : 0;
      ::munmap(map, size);
    }
  }
  ::close(fd);
  return cached;
}

struct Written {
  uint64_t bytes = 0;
  uint64_t cached = 0;
};

// Writes about 80 MiB of trail through a traild with `window` and measures the trail's
// files after traild stopped.
Written write_trail(const std::string& name, const std::string& window) {
  Daemon d(name, "  page_cache_window: " + window + "\n");
  d.start();
  std::string events;
  for (int i = 0; i < 100'000; ++i)
    events += "{\"event\":{\"action\":\"page-cache\",\"id\":\"pc-" + std::to_string(i) + "\"},\"message\":\"" +
              std::string(600, 'p') + "\"}\n";
  const CommandResult sent = trailctl_send(d, events);
  EXPECT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_EQ(d.stop(), 0);
  Written w;
  for (const auto& f : d.files()) {
    w.bytes += fs::file_size(f);
    w.cached += cached_bytes(f);
  }
  return w;
}

bool on_tmpfs(const fs::path& dir) {
  struct statfs s {};
  return ::statfs(dir.c_str(), &s) == 0 && s.f_type == TMPFS_MAGIC;
}

TEST(PageCache, PagesMoreThanTheWindowBehindTheEndLeaveTheCache) {
  if (on_tmpfs(fs::temp_directory_path()))
    GTEST_SKIP() << "the temporary directory is on tmpfs, whose pages are the files themselves";
  // Without a window the kernel keeps what was written, memory allowing: the control.
  const Written kept = write_trail("pagecache-all", "0");
  ASSERT_GT(kept.bytes, 64 * kMiB);
  if (kept.cached < kept.bytes / 2)
    GTEST_SKIP() << "the kernel itself kept only " << kept.cached << " of " << kept.bytes
                 << " bytes cached (memory pressure): nothing to compare with";
  const Written dropped = write_trail("pagecache-16m", "16MiB");
  ASSERT_GT(dropped.bytes, 64 * kMiB);
  // The window, the 8 MiB step of dropping and the 8 MiB step of writeback: at most 32 MiB
  // of the active file; the file before it is dropped whole once this one is a window long.
  EXPECT_LE(dropped.cached, 32 * kMiB) << "of " << dropped.bytes << " bytes written; " << kept.cached
                                       << " stay cached without a window";
}

}  // namespace
}  // namespace traild::test
