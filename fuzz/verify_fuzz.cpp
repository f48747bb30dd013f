// libFuzzer target for the integrity code that reads untrusted bytes: trailctl verify's line
// checker (a trail file is whatever an attacker left on disk) and the canonical JSON writer,
// which must be idempotent: canonical(parse(canonical(x))) == canonical(x).
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "integrity/canonical_json.hpp"
#include "integrity/verifier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static simdjson::dom::parser parser;
  static traild::CanonicalWriter writer;
  simdjson::dom::element doc;
  if (parser.parse(input.data(), input.size()).get(doc) == simdjson::SUCCESS) {
    std::string once, twice;
    writer.write(doc, once);
    simdjson::dom::element again;
    if (parser.parse(once).get(again) != simdjson::SUCCESS) std::abort();
    writer.write(again, twice);
    if (once != twice) std::abort();
  }
  traild::TrailVerifier verifier({});
  verifier.begin_file("fuzz.jsonl");
  std::string line;
  size_t pos = 0;
  while (pos < input.size() && !verifier.failed()) {
    size_t nl = input.find('\n', pos);
    if (nl == std::string_view::npos) {
      verifier.torn_tail(input.size() - pos, true);
      break;
    }
    line.assign(input.substr(pos, nl - pos));
    line.append(simdjson::SIMDJSON_PADDING, '\0');
    verifier.feed(std::string_view(line.data(), nl - pos));
    pos = nl + 1;
  }
  verifier.finish();
  return 0;
}
