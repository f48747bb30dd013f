// libFuzzer target: what trailctl ui parses from a browser's request target, up to the
// query it would run: the path and parameters (percent and form decoding), then the
// parameters as a query request. Checks: no crash; a refusal says why; decoding what was
// decoded and re-encoded gives the same.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ctl/query/request.hpp"
#include "ctl/ui/url_query.hpp"

namespace {

std::string percent_encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace traild::ctl;
  const std::string target(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_request_target(target);
  if (!parsed) return 0;
  for (const auto& p : parsed->params) {
    auto again = percent_decode(percent_encode(p.value), true);
    if (!again || *again != p.value) std::abort();
  }
  std::string error;
  for (auto purpose : {QueryPurpose::Page, QueryPurpose::Export}) {
    auto request = parse_query_request(parsed->params, purpose, 1'767'225'600'000, "", error);
    if (!request && error.empty()) std::abort();
    if (request && purpose == QueryPurpose::Page && (!request->options.limit || *request->options.limit > 1000))
      std::abort();  // a page is always bounded
  }
  return 0;
}
