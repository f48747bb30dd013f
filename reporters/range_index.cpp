#include "reporters/range_index.hpp"

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/json_escape.hpp"

namespace traild {

std::string range_index_path(const std::string& directory, std::string_view prefix) {
  return directory + "/" + std::string(prefix) + ".index";
}

int append_range_record(Filesystem& fs, const std::string& directory, std::string_view prefix, std::string_view file,
                        const TimeRange& range) {
  if (range.empty()) return 0;
  std::string line = "{\"file\":";
  append_json_string(line, file);
  line.append(",\"first_ms\":");
  append_int(line, range.first_ms);
  line.append(",\"last_ms\":");
  append_int(line, range.last_ms);
  line.append("}\n");
  const int fd = fs.open_append(range_index_path(directory, prefix), 0640, false);
  if (fd < 0) return fd;
  const ssize_t n = fs.write(fd, line.data(), line.size());  // one short line: one write
  fs.close(fd);
  return n == static_cast<ssize_t>(line.size()) ? 0 : -EIO;
}

std::map<std::string, TimeRange> read_range_index(const std::string& directory) {
  std::map<std::string, TimeRange> out;
  std::error_code ec;
  simdjson::dom::parser parser;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    if (entry.path().extension() != ".index" || !entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      simdjson::dom::element doc;
      std::string_view file;
      int64_t first, last;
      if (parser.parse(line).get(doc) || doc["file"].get_string().get(file) || doc["first_ms"].get_int64().get(first) ||
          doc["last_ms"].get_int64().get(last) || first > last)
        continue;  // a torn last line, or damage: that file is simply read
      out[std::string(file)] = TimeRange{first, last};
    }
  }
  return out;
}

}  // namespace traild
