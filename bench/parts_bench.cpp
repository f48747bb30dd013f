// Google Benchmark for the parts of the hot path, one event at a time: framing a stream
// buffer, parsing and validating, redacting, formatting the ECS line, hashing it into the
// chain, and escaping JSON strings.
// Run: build/bench/traild_parts_bench  (items_per_second is events per second on one core)
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "common/json_escape.hpp"
#include "common/line_buffer.hpp"
#include "config/config.hpp"
#include "daemon/event_parser.hpp"
#include "daemon/framer.hpp"
#include "daemon/redactor.hpp"
#include "integrity/chain.hpp"
#include "reporters/ecs_formatter.hpp"

namespace {

// The same ~450-byte audit event the load generator sends.
const std::string kEvent =
    R"J({"@timestamp":"2026-11-21T10:01:02.003Z","event":{"action":"role-update","category":["iam"],)J"
    R"J("type":["change"],"outcome":"success","reason":"console"},"user":{"name":"user042","id":"u-000042",)J"
    R"J("roles":["admin","auditor"]},"source":{"ip":"10.0.1.42","port":2048},"entity.target.id":"obj-0-42",)J"
    R"J("entity.target.type":"host","organization":{"id":"tenant-3"},"user_agent":{"original":)J"
    R"J("Mozilla/5.0 (X11; Linux x86_64)"},"message":"role-update by user042"})J";

std::string padded(const std::string& s) { return s + std::string(traild::EventParser::kPadding, '\0'); }

struct CountingSink : traild::FrameSink {
  size_t records = 0;
  void on_record(std::string_view) override { ++records; }
  void on_oversize(std::string_view, uint64_t) override {}
};

void BM_FrameStream(benchmark::State& state) {
  std::string buffer;
  while (buffer.size() < (256 << 10)) buffer += kEvent + "\n";
  const size_t events = buffer.size() / (kEvent.size() + 1);
  traild::StreamFramer framer(64 << 10);
  CountingSink sink;
  for (auto _ : state) benchmark::DoNotOptimize(framer.feed(buffer, sink));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buffer.size()));
}
BENCHMARK(BM_FrameStream);

void BM_ParseValidate(benchmark::State& state) {
  traild::EventParser parser({});
  traild::ParsedEvent event;
  traild::Rejection why;
  const std::string record = padded(kEvent);
  const std::string_view view(record.data(), kEvent.size());
  for (auto _ : state) {
    if (!parser.parse(view, event, why)) state.SkipWithError(why.message.c_str());
    benchmark::DoNotOptimize(event.nodes.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kEvent.size()));
}
BENCHMARK(BM_ParseValidate);

// As BM_ParseValidate over 1,024 events of one shape whose values differ in length, as a
// producer's do (the load generator's mix): a branch that learned one record's lengths in
// BM_ParseValidate mispredicts here as it does on real traffic.
void BM_ParseValidateVaried(benchmark::State& state) {
  static const char* actions[] = {"user-login", "user-logout", "machine-deploy", "role-update",
                                  "token-create", "project-delete", "policy-change", "job-submit"};
  std::vector<std::string> records;
  size_t bytes = 0;
  for (int i = 0; i < 1024; ++i) {
    std::string e = kEvent;
    auto replace = [&](std::string_view from, const std::string& to) { e.replace(e.find(from), from.size(), to); };
    replace("role-update\",\"category", std::string(actions[i % 8]) + "\",\"category");
    replace("user042\",\"id\":\"u-000042", "user" + std::to_string(i % 97) + "\",\"id\":\"u-" + std::to_string(i * 7919 % 100000));
    replace("10.0.1.42", "10." + std::to_string(i % 3) + "." + std::to_string(i / 7 % 256) + "." + std::to_string(i % 256));
    replace("2048", std::to_string(1024 + i * 37 % 60000));
    replace("role-update by user042", std::string(actions[(i / 8) % 8]) + " by user" + std::to_string(i % 13));
    bytes += e.size();
    records.push_back(padded(e));
    records.back().resize(e.size());  // the padding stays allocated past size()
  }
  traild::EventParser parser({});
  traild::ParsedEvent event;
  traild::Rejection why;
  size_t next = 0;
  for (auto _ : state) {
    const std::string& r = records[next];
    next = (next + 1) % records.size();
    if (!parser.parse(r, event, why)) state.SkipWithError(why.message.c_str());
    benchmark::DoNotOptimize(event.nodes.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (bytes / records.size())));
}
BENCHMARK(BM_ParseValidateVaried);

// Only simdjson's part of parsing (syntax, UTF-8, the DOM tape): the rest of
// BM_ParseValidate is building and checking the tree.
void BM_LoadJson(benchmark::State& state) {
  traild::EventParser parser({});
  traild::Rejection why;
  const std::string record = padded(kEvent);
  const std::string_view view(record.data(), kEvent.size());
  for (auto _ : state) {
    if (!parser.load(view, why)) state.SkipWithError(why.message.c_str());
    benchmark::DoNotOptimize(parser.document());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_LoadJson);

// kEvent parsed and validated, for the parts that come after parsing.
struct ParsedSample {
  traild::EventParser parser{{}};
  traild::ParsedEvent event;
  std::string record = padded(kEvent);
  ParsedSample() {
    traild::Rejection why;
    if (!parser.parse(std::string_view(record.data(), kEvent.size()), event, why)) std::abort();
  }
};

traild::Enrichment sample_enrichment() {
  return {"2026-11-21T10:01:02.003Z", "0194a5d2-7c1e-7000-8000-000000000001", "2026-11-21T10:01:02.004Z", "host1", 42};
}

void BM_FormatEcs(benchmark::State& state) {
  ParsedSample sample;
  traild::ParsedEvent& event = sample.event;
  const traild::Enrichment enrichment = sample_enrichment();
  std::string out;
  for (auto _ : state) {
    out.clear();
    traild::format_ecs_line(event, enrichment, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_FormatEcs);

// The pipeline's formatter on an event of a known shape: after the first line, every line
// is written from the shape's template (literal bytes between the values).
void BM_FormatEcsTemplated(benchmark::State& state) {
  ParsedSample sample;
  traild::ParsedEvent& event = sample.event;
  if (event.shape_id == 0) std::abort();  // the parser keeps the shape of what it builds
  const traild::Enrichment enrichment = sample_enrichment();
  traild::EcsLineFormatter formatter;
  traild::LineBuffer line;
  for (auto _ : state) {
    formatter.format(event, enrichment, line);
    benchmark::DoNotOptimize(line.data());
  }
  if (formatter.templated() + 1 != static_cast<uint64_t>(state.iterations())) std::abort();
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * line.size()));
}
BENCHMARK(BM_FormatEcsTemplated);

// The default redact.fields over the parsed event (nothing in it is a secret: the cost
// every event pays to be looked at).
void BM_RedactDefaults(benchmark::State& state) {
  ParsedSample sample;
  traild::ParsedEvent& event = sample.event;
  traild::Redactor redactor{traild::RedactConfig{}};
  for (auto _ : state) {
    event.redactions.clear();
    event.redacted_paths.clear();
    redactor.apply(event);
    benchmark::DoNotOptimize(event.redactions.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_RedactDefaults);

// The hash chain's cost per line: SHA-256 over the formatted line (integrity.key_file
// unset), as the writer thread's ChainSealer computes it for every line.
void BM_ChainHashLine(benchmark::State& state) {
  ParsedSample sample;
  traild::ParsedEvent& event = sample.event;
  const traild::Enrichment enrichment = sample_enrichment();
  traild::LineBuffer built;
  const size_t hash_at = traild::format_ecs_line(event, enrichment, built);
  std::string line;
  std::vector<traild::ChainSlot> slots;
  traild::append_unsealed(built.view(), hash_at, line, slots);  // a real trail line, hash member included
  std::string head(traild::kGenesisHash);
  traild::ChainSealer().seal(line, slots, head);
  line.pop_back();  // the '\n'
  traild::ChainHasher hasher;
  char hex[traild::kChainHashHex];
  for (auto _ : state) {
    hasher.hash_line(line, hash_at, hex);
    benchmark::DoNotOptimize(hex);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * line.size()));
}
BENCHMARK(BM_ChainHashLine);

void BM_EscapeString(benchmark::State& state) {
  const std::string text = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)";
  std::string out;
  for (auto _ : state) {
    out.clear();
    traild::append_json_string(out, text);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_EscapeString);

}  // namespace

BENCHMARK_MAIN();
