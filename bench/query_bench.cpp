// Google Benchmark for trailctl query's engine over a generated trail of ~450-byte ECS
// lines (64 MiB in 16 files of one day each, with range index records as traild writes
// them): a selective filter scanning everything (bytes_per_second is the scan rate on one
// core), and a one-day window that the range index narrows to one file.
// Run: build/bench/traild_query_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "bench/synthetic_trail.hpp"
#include "common/clock.hpp"
#include "ctl/query/query.hpp"
#include "reporters/range_index.hpp"

namespace {

namespace fs = std::filesystem;

constexpr int kFiles = 16;
constexpr size_t kBytesPerFile = 4 << 20;
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kStartMs = 1'767'225'600'000;  // 2026-01-01

struct Trail {
  fs::path dir;
  size_t bytes = 0;
  size_t events = 0;

  Trail() {
    dir = fs::temp_directory_path() / ("traild-query-bench-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    uint64_t seq = 0;
    for (int f = 0; f < kFiles; ++f) {
      char name[64];
      std::snprintf(name, sizeof name, "audit-202601%02dT000000Z-%08d.jsonl", f + 1, f + 1);
      std::ofstream out(dir / name);
      traild::TimeRange range;
      size_t written = 0;
      for (int i = 0; written < kBytesPerFile; ++i) {
        const int64_t ms = kStartMs + f * kDayMs + i * 1000;
        ++seq;
        range.merge({ms, ms});
        const std::string line = traild::bench::synthetic_event_line(ms, seq, static_cast<uint64_t>(i));
        out << line;
        written += line.size();
        ++events;
      }
      bytes += written;
      out.close();
      traild::append_range_record(traild::Filesystem::real(), dir.string(), "audit", name, range);
    }
  }
  ~Trail() { fs::remove_all(dir); }
};

Trail& trail() {
  static Trail t;
  return t;
}

void BM_QueryScanSelective(benchmark::State& state) {
  traild::ctl::QueryOptions q;
  q.directory = trail().dir.string();
  q.filters.push_back({{"user.id", "user.name"}, traild::ctl::FilterOp::Eq, "nobody"});
  q.limit = 50;
  std::ostringstream warnings;
  for (auto _ : state) benchmark::DoNotOptimize(traild::ctl::run_query(q, warnings).matched);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * trail().bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * trail().events));
}
BENCHMARK(BM_QueryScanSelective)->Unit(benchmark::kMillisecond);

void BM_QueryOneDayOfSixteen(benchmark::State& state) {
  traild::ctl::QueryOptions q;
  q.directory = trail().dir.string();
  q.since_ms = kStartMs + 5 * kDayMs;
  q.until_ms = kStartMs + 6 * kDayMs;
  q.limit = 50;
  std::ostringstream warnings;
  size_t pruned = 0;
  for (auto _ : state) {
    auto r = traild::ctl::run_query(q, warnings);
    pruned = r.files_pruned;
    benchmark::DoNotOptimize(r.matched);
  }
  state.counters["files_pruned"] = static_cast<double>(pruned);
}
BENCHMARK(BM_QueryOneDayOfSixteen)->Unit(benchmark::kMillisecond);

// The first page of everything, newest first (what trailctl ui shows first): the range
// index lets the engine stop after the newest files.
void BM_QueryFirstPageOfAll(benchmark::State& state) {
  traild::ctl::QueryOptions q;
  q.directory = trail().dir.string();
  q.limit = 50;
  std::ostringstream warnings;
  size_t read = 0;
  for (auto _ : state) {
    auto r = traild::ctl::run_query(q, warnings);
    read = r.files_read;
    benchmark::DoNotOptimize(r.matched);
  }
  state.counters["files_read"] = static_cast<double>(read);
}
BENCHMARK(BM_QueryFirstPageOfAll)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
