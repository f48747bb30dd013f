// traild_make_trail DIR EVENTS [--days D] [--users U] [--file-mib M]: writes a synthetic
// trail of EVENTS events spread evenly over the last D days (default 30), in files of M MiB
// (default 64) named and indexed as traild names and indexes them, for measuring trailctl
// query and trailctl ui on trails too large to write through the daemon in a test
// (bench/ui_bench.sh uses 10 million).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "bench/synthetic_trail.hpp"
#include "common/clock.hpp"
#include "reporters/file_naming.hpp"
#include "reporters/range_index.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: traild_make_trail DIR EVENTS [--days D] [--users U] [--file-mib M]\n";
    return 2;
  }
  const fs::path dir = argv[1];
  const uint64_t events = std::strtoull(argv[2], nullptr, 10);
  int64_t days = 30;
  uint64_t users = 5000, file_bytes = 64ULL << 20;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--days") days = std::atoll(argv[i + 1]);
    else if (a == "--users") users = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--file-mib") file_bytes = std::strtoull(argv[i + 1], nullptr, 10) << 20;
    else return std::cerr << "unknown option " << a << "\n", 2;
  }
  fs::create_directories(dir);
  const int64_t end = traild::now_unix_ms(), start = end - days * 86'400'000;
  const double step = events > 1 ? static_cast<double>(end - start) / static_cast<double>(events - 1) : 0;
  std::ofstream out;
  std::string name;
  traild::TimeRange range;
  uint64_t written = 0, files = 0, total = 0;
  std::string buffer;
  auto close_file = [&] {
    if (!out.is_open()) return;
    out << buffer;
    buffer.clear();
    out.close();
    traild::append_range_record(traild::Filesystem::real(), dir.string(), "audit", name, range);
  };
  for (uint64_t i = 0; i < events; ++i) {
    const int64_t ms = start + static_cast<int64_t>(step * static_cast<double>(i));
    if (!out.is_open() || written >= file_bytes) {
      close_file();
      name = traild::make_file_name("audit", ms, ++files);
      out.open(dir / name, std::ios::binary | std::ios::trunc);
      range = {};
      written = 0;
    }
    const std::string line = traild::bench::synthetic_event_line(ms, i + 1, i, users);
    buffer += line;
    if (buffer.size() > (1 << 20)) {
      out << buffer;
      buffer.clear();
    }
    written += line.size();
    total += line.size();
    range.merge({ms, ms});
  }
  close_file();
  std::cout << events << " events, " << files << " files, " << total / (1 << 20) << " MiB in " << dir.string() << "\n";
  return 0;
}
