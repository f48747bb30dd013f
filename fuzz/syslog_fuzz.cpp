// libFuzzer target: the syslog header decoder. Checks: no crash; on success the MSG lies
// inside the record and the log.syslog JSON written from the header is valid JSON.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/syslog_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view record(reinterpret_cast<const char*>(data), size);
  traild::SyslogHeader header;
  std::string_view msg;
  std::string error;
  if (!traild::decode_syslog(record, header, msg, error)) {
    if (error.empty()) std::abort();
    return 0;
  }
  if (msg.data() < record.data() || msg.data() + msg.size() > record.data() + record.size()) std::abort();
  if (header.format == traild::SyslogHeader::Format::None) return 0;
  std::string json;
  traild::append_syslog_fields(header, json);
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) std::abort();
  return 0;
}
