// libFuzzer target: trailctl import's readers (JSON envelopes and streams, the Python repr
// converter, the Run:ai CSV reader). The first byte picks the dialect. Checks: no crash; a
// failure says why; every record read is one valid JSON value.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "ctl/import_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace traild;
  static simdjson::dom::parser check;
  if (size == 0) return 0;
  static constexpr Dialect kDialects[] = {Dialect::Maas, Dialect::Runai, Dialect::Salt, Dialect::Gravitee};
  const Dialect dialect = kDialects[data[0] % 4];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> records;
  std::string error;
  if (!ctl::read_export(dialect, text, records, error)) {
    if (error.empty()) std::abort();
    return 0;
  }
  for (const auto& r : records) {
    simdjson::dom::element doc;
    // CSV cells are copied as they are: invalid UTF-8 in, invalid UTF-8 out (traild refuses it).
    auto err = check.parse(r).get(doc);
    if (err != simdjson::SUCCESS && err != simdjson::UTF8_ERROR) std::abort();
  }
  return 0;
}
