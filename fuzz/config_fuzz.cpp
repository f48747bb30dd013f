// libFuzzer target: the configuration loader. Checks: no crash, and a refused file always
// says why.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto load = traild::load_config_text(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  if (!load.config && load.errors.empty()) std::abort();
  return 0;
}
