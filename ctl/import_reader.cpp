#include "ctl/import_reader.hpp"

#include <simdjson.h>

#include <algorithm>

#include "common/json_escape.hpp"

namespace traild::ctl {
namespace {

// Appends the elements of `v` when it is an array, else `v` itself.
void collect(simdjson::dom::element v, std::vector<std::string>& records) {
  simdjson::dom::array a;
  if (!v.get_array().get(a)) {
    for (auto e : a) records.push_back(simdjson::minify(e));
    return;
  }
  records.push_back(simdjson::minify(v));
}

// The records inside a source system's envelope: MAAS {events: [...]}, Salt {results: [...]}
// or {"ret": {...}}; a bare array; or the record itself.
void unwrap(simdjson::dom::element v, std::vector<std::string>& records) {
  simdjson::dom::object o;
  if (!v.get_object().get(o)) {
    simdjson::dom::element inner;
    for (const char* key : {"ret", "events", "results"}) {
      if (!o.at_key(key).get(inner) && (inner.is_array() || inner.is_object())) {
        unwrap(inner, records);
        return;
      }
    }
  }
  collect(v, records);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// One JSON document, or a stream of them separated by whitespace (JSON lines, or several
// pretty-printed outputs one after another).
bool read_json(std::string_view text, std::vector<std::string>& records, std::string& error) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(text);
  simdjson::dom::document_stream stream;
  if (auto err = parser.parse_many(padded, std::max<size_t>(padded.size(), 1 << 20)).get(stream)) {
    error = std::string("not JSON (") + simdjson::error_message(err) + ")";
    return false;
  }
  size_t n = 0;
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    ++n;
    simdjson::dom::element doc;
    if (auto err = (*it).get(doc)) {
      error = "JSON document " + std::to_string(n) + " (byte " + std::to_string(it.current_index()) +
              "): " + simdjson::error_message(err);
      return false;
    }
    unwrap(doc, records);
  }
  if (stream.truncated_bytes() > 0) {
    error = "the last JSON document is incomplete";
    return false;
  }
  return true;
}

// Skips a CLI's preamble ("Success.\nMachine-readable output follows:\n") to the first line
// that starts a JSON value.
std::string_view skip_preamble(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    std::string_view line = text.substr(pos, text.find('\n', pos) - pos);
    std::string_view t = trim(line);
    if (!t.empty() && (t.front() == '{' || t.front() == '[')) return text.substr(pos);
    const size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return text;
}

bool read_salt(std::string_view text, std::vector<std::string>& records, std::string& error) {
  // The Salt client prints RPCResponse(riq=..., ret={...}, error=None, warnings=[]).
  size_t pos = text.find("ret=");
  if (pos != std::string_view::npos) {
    pos += 4;
  } else {
    std::string_view t = trim(text);
    if (t.empty()) return true;
    if (t.front() == '{' || t.front() == '[') {
      std::vector<std::string> json_records;
      std::string json_error;
      if (read_json(t, json_records, json_error)) {
        records.insert(records.end(), json_records.begin(), json_records.end());
        return true;
      }
    }
    pos = text.find_first_of("{[");
    if (pos == std::string_view::npos) {
      error = "expected get_audit's return as JSON or as a Python literal";
      return false;
    }
  }
  std::string json;
  if (python_literal_to_json(text, pos, json, error)) return read_json(json, records, error);
  // Salt's own documentation prints ret without its closing brace: fall back to the list of
  // records itself.
  const size_t results = text.find("'results':");
  if (results == std::string_view::npos) return false;
  pos = results + 10;
  json.clear();
  std::string results_error;
  if (!python_literal_to_json(text, pos, json, results_error)) return false;
  error.clear();
  return read_json(json, records, error);
}

}  // namespace

bool read_export(Dialect dialect, std::string_view text, std::vector<std::string>& records, std::string& error) {
  switch (dialect) {
    case Dialect::Maas: return read_json(skip_preamble(text), records, error);
    case Dialect::Salt: return read_salt(text, records, error);
    case Dialect::Gravitee: return read_json(text, records, error);
    case Dialect::Runai: {
      std::string_view t = trim(text);
      if (!t.empty() && (t.front() == '[' || t.front() == '{')) return read_json(t, records, error);
      return runai_csv_to_records(text, records, error);
    }
    case Dialect::Auto:
    case Dialect::Ecs: break;
  }
  error = "import reads maas, runai, salt or gravitee exports";
  return false;
}

}  // namespace traild::ctl
