// libFuzzer target: what trailctl query parses from its command line and from the trail:
// --where filters (then evaluated against a fixed event), time arguments, durations and
// cursors. The first byte picks the parser. Checks: no crash; a refusal says why.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "ctl/query/filter.hpp"
#include "ctl/query/query.hpp"
#include "ctl/query/time_arg.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace traild::ctl;
  static simdjson::dom::parser parser;
  static const simdjson::dom::element event =
      parser.parse(std::string(R"({"@timestamp":"2026-01-01T00:00:00.000Z","user":{"name":"a"},"event":{"category":["iam"],"duration":5,"sequence":3},"labels":{"x.y":"z"}})"))
          .value_unsafe();
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string error;
  switch (data[0] % 4) {
    case 0: {
      auto f = parse_where(text, error);
      if (!f && error.empty()) std::abort();
      if (f) (void)f->matches(event);
      break;
    }
    case 1:
      if (!parse_time_arg(text, 1'767'225'600'000, error) && error.empty()) std::abort();
      break;
    case 2: (void)parse_duration_ns(text); break;
    case 3: {
      auto key = decode_cursor("@timestamp", text);
      if (key && !decode_cursor("@timestamp", encode_cursor("@timestamp", *key))) std::abort();  // round trip
      break;
    }
  }
  return 0;
}
