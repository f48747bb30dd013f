#include "reporters/trail_scan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "common/clock.hpp"
#include "reporters/file_naming.hpp"

namespace traild {

std::vector<TrailFile> list_trail_files(const std::string& dir, std::string_view prefix) {
  std::vector<TrailFile> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return out;
  while (dirent* e = ::readdir(d.get())) {
    auto parsed = parse_file_name(prefix, e->d_name);
    if (!parsed) continue;
    struct stat st;
    std::string path = dir + "/" + e->d_name;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    out.push_back({e->d_name, parsed->created_ms, parsed->counter, static_cast<uint64_t>(st.st_size)});
  }
  std::sort(out.begin(), out.end(), [](const TrailFile& a, const TrailFile& b) { return a.counter < b.counter; });
  return out;
}

namespace {

struct LineInfo {
  std::string id;
  int64_t created_ms = 0;
  bool have_sequence = false;
  uint64_t sequence = 0;
  std::string chain_hash;
};

// Reads one file's complete lines; returns false when it cannot be read.
bool read_lines(const std::string& path, std::vector<LineInfo>& lines, bool& ends_cleanly) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  simdjson::ondemand::parser parser;
  std::string buf;
  std::string carry;
  constexpr size_t kChunk = 1 << 20;
  ends_cleanly = true;
  bool any = false;
  while (true) {
    buf.assign(carry);
    size_t old = buf.size();
    buf.resize(old + kChunk + simdjson::SIMDJSON_PADDING);
    ssize_t n = ::read(fd, buf.data() + old, kChunk);
    if (n < 0) {
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    any = true;
    size_t end = old + static_cast<size_t>(n);
    size_t pos = 0;
    while (true) {
      const void* nl = std::memchr(buf.data() + pos, '\n', end - pos);
      if (!nl) break;
      size_t eol = static_cast<size_t>(static_cast<const char*>(nl) - buf.data());
      LineInfo info;
      simdjson::ondemand::document doc;
      if (!parser.iterate(buf.data() + pos, eol - pos, buf.size() - pos).get(doc)) {
        simdjson::ondemand::object event;
        std::string_view gravitee_id;
        if (!doc.find_field_unordered("event").get_object().get(event)) {
          std::string_view id;
          uint64_t seq;
          if (!event.find_field_unordered("id").get_string().get(id)) info.id = id;
          std::string_view created;
          if (!event.find_field_unordered("created").get_string().get(created))
            info.created_ms = parse_rfc3339_ms(created).value_or(0);
          if (!event.find_field_unordered("sequence").get_uint64().get(seq)) {
            info.have_sequence = true;
            info.sequence = seq;
          }
        } else if (!doc.find_field_unordered("event_id").get_string().get(gravitee_id)) {
          info.id = gravitee_id;  // output.format gravitee keeps the id there
        }
        std::string_view hash;
        uint64_t seq;
        simdjson::ondemand::object chain;
        if (!doc.find_field_unordered("traild").find_field_unordered("chain").get_object().get(chain) &&
            !chain.find_field_unordered("hash").get_string().get(hash)) {
          info.chain_hash = hash;
          if (!info.have_sequence && !chain.find_field_unordered("sequence").get_uint64().get(seq)) {
            info.have_sequence = true;  // output.format gravitee has no event.sequence
            info.sequence = seq;
          }
        }
      }
      lines.push_back(std::move(info));
      pos = eol + 1;
    }
    carry.assign(buf.data() + pos, end - pos);
  }
  ::close(fd);
  ends_cleanly = !any || carry.empty();
  return true;
}

}  // namespace

TrailTail scan_trail_tail(const std::string& dir, const std::vector<TrailFile>& files, size_t max_ids) {
  TrailTail out;
  std::vector<std::vector<std::pair<std::string, int64_t>>> ids_newest_first;
  size_t total = 0;
  bool saw_line = false;  // the newest complete line decides the last sequence
  for (size_t i = files.size(); i-- > 0 && (total < max_ids || !saw_line);) {
    std::vector<LineInfo> lines;
    bool clean = true;
    if (!read_lines(dir + "/" + files[i].name, lines, clean)) continue;
    if (i + 1 == files.size()) out.newest_ends_cleanly = clean;
    std::vector<std::pair<std::string, int64_t>> ids;
    saw_line = saw_line || !lines.empty();
    for (auto& l : lines) {
      if (l.have_sequence && (!out.have_sequence || l.sequence > out.last_sequence)) {
        out.have_sequence = true;
        out.last_sequence = l.sequence;
        out.last_chain_hash = l.chain_hash;
      }
      if (!l.id.empty()) ids.emplace_back(std::move(l.id), l.created_ms);
    }
    total += ids.size();
    ids_newest_first.push_back(std::move(ids));
  }
  for (auto it = ids_newest_first.rbegin(); it != ids_newest_first.rend(); ++it)
    for (auto& [id, created] : *it) {
      out.recent_ids.push_back(std::move(id));
      out.recent_created_ms.push_back(created);
    }
  if (out.recent_ids.size() > max_ids) {
    const auto drop = static_cast<ptrdiff_t>(out.recent_ids.size() - max_ids);
    out.recent_ids.erase(out.recent_ids.begin(), out.recent_ids.begin() + drop);
    out.recent_created_ms.erase(out.recent_created_ms.begin(), out.recent_created_ms.begin() + drop);
  }
  return out;
}

}  // namespace traild
