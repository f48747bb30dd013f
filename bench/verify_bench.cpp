// Google Benchmark for the integrity chain: ChainStamper::stamp (what every event costs the
// daemon: re-reading the formatted line, writing it canonically, hashing it) and
// trailctl verify's engine over a generated 128 MiB trail of ~600-byte ECS lines in 8 files
// with a digest, with plain SHA-256 and with an HMAC key. bytes_per_second is the rate on
// one core; the issue's target is 500 MB/s without a key.
// Run: build/bench/traild_verify_bench
#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/clock.hpp"
#include "integrity/chain.hpp"
#include "integrity/digest.hpp"
#include "integrity/verifier.hpp"

namespace {

namespace fs = std::filesystem;

constexpr int kFiles = 8;
constexpr size_t kBytesPerFile = 16 << 20;
const std::string kKey = "0123456789abcdef0123456789abcdef";

// One formatted event before the chain stamps it, as the ECS formatter leaves it.
std::string event_line(uint64_t i) {
  const std::string ts = traild::rfc3339_ms(1'767'225'600'000 + static_cast<int64_t>(i) * 1000);
  return R"({"@timestamp":")" + ts + R"(","event":{"action":"role-update","category":["iam"],"type":["change"],)" +
         R"("outcome":"success","id":"01a2-)" + std::to_string(i) + R"(","created":")" + ts +
         R"(","kind":"event","sequence":)" + std::to_string(i) + R"(},"user":{"name":"user)" +
         std::to_string(i % 500) + R"(","id":"u-)" + std::to_string(i % 500) + R"("},"source":{"ip":"10.0.1.)" +
         std::to_string(i % 250) + R"("},"entity":{"target":{"id":"obj-)" + std::to_string(i) +
         R"(","type":"host"}},"organization":{"id":"tenant-3"},"message":"role-update by user)" +
         std::to_string(i % 500) + R"(","host":{"hostname":"vm"},"process":{"pid":4242,"name":"app","user":{"id":"1000"}}})";
}

struct Trail {
  fs::path dir;
  size_t bytes = 0;

  explicit Trail(const std::string& key) {
    dir = fs::temp_directory_path() / ("traild-verify-bench-" + std::to_string(::getpid()) + (key.empty() ? "" : "-k"));
    fs::remove_all(dir);
    fs::create_directories(dir);
    traild::ChainStamper stamper(key);
    uint64_t seq = 0;
    std::string out, line;
    traild::ChainHead head;
    for (int f = 0; f < kFiles; ++f) {
      char name[64];
      std::snprintf(name, sizeof name, "audit-202601%02dT000000Z-%08d.jsonl", f + 1, f + 1);
      out.clear();
      while (out.size() < kBytesPerFile) {
        line = event_line(++seq);
        const size_t size = line.size();
        line.append(simdjson::SIMDJSON_PADDING, ' ');
        stamper.stamp(std::string_view(line.data(), size), seq, out);
      }
      std::ofstream(dir / name, std::ios::binary) << out;
      bytes += out.size();
      head = {seq, stamper.head(), name, out.size()};
    }
    traild::DigestWriter digest(traild::Filesystem::real(), traild::digest_path(dir.string(), "audit"), nullptr);
    digest.open();
    digest.checkpoint(head, "stop", traild::now_unix_ms());
  }
  ~Trail() { fs::remove_all(dir); }
};

void run_verify(benchmark::State& state, const std::string& key) {
  static Trail plain(""), keyed(kKey);
  const Trail& trail = key.empty() ? plain : keyed;
  traild::VerifyOptions options;
  options.hmac_key = key;
  for (auto _ : state) {
    const traild::VerifyReport report = traild::verify_directory(trail.dir.string(), "audit", options);
    if (!report.ok()) state.SkipWithError(report.failure->detail.c_str());
    benchmark::DoNotOptimize(report.events);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * trail.bytes));
}

void BM_VerifySha256(benchmark::State& state) { run_verify(state, ""); }
void BM_VerifyHmac(benchmark::State& state) { run_verify(state, kKey); }

// The daemon's cost per event for the chain.
void BM_StampEvent(benchmark::State& state) {
  traild::ChainStamper stamper;
  std::string line = event_line(42);
  const size_t size = line.size();
  line.append(simdjson::SIMDJSON_PADDING, ' ');
  std::string out;
  uint64_t seq = 0;
  for (auto _ : state) {
    out.clear();
    stamper.stamp(std::string_view(line.data(), size), ++seq, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

BENCHMARK(BM_VerifySha256)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_VerifyHmac)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StampEvent);

}  // namespace

BENCHMARK_MAIN();
