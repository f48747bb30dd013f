#include "ctl/query/output.hpp"

#include <simdjson.h>

#include "common/json_escape.hpp"

namespace traild::ctl {
namespace {

// Table columns: wide enough for an RFC 3339 time, 20 for the rest.
size_t column_width(const std::string& field) { return field == "@timestamp" ? 24 : 20; }

// A field's value as a cell: strings as they are, anything else as its JSON text.
std::string cell(simdjson::dom::element event, const std::string& field) {
  auto v = field_at(event, field);
  if (!v) return "";
  std::string_view s;
  if (!v->get_string().get(s)) return std::string(s);
  return simdjson::minify(*v);
}

// The event cut down to `fields`, one dotted key per field.
std::string project(simdjson::dom::element event, const std::vector<std::string>& fields) {
  std::string out = "{";
  for (const auto& f : fields) {
    auto v = field_at(event, f);
    if (!v) continue;
    if (out.size() > 1) out.push_back(',');
    append_json_string(out, f);
    out.push_back(':');
    out.append(simdjson::minify(*v));
  }
  return out + "}";
}

// Cuts to `width` display columns, counting UTF-8 sequences as one, marking cuts with "…".
std::string truncated(const std::string& s, size_t width) {
  size_t cols = 0, i = 0;
  while (i < s.size() && cols < width) {
    ++cols;
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  if (i >= s.size()) return s + std::string(width - cols, ' ');
  // Replace the last column by the ellipsis.
  size_t back = i;
  do --back;
  while (back > 0 && (static_cast<unsigned char>(s[back]) & 0xC0) == 0x80);
  return s.substr(0, back) + "\xE2\x80\xA6";
}

std::string printable(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';  // a value never moves the terminal
  return s;
}

}  // namespace

std::vector<std::string> default_columns() {
  return {"@timestamp", "user.name", "event.action", "event.outcome", "entity.target.type", "entity.target.name",
          "source.ip"};
}

void append_csv_field(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(v);
    return;
  }
  out.push_back('"');
  for (char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void write_answer(const QueryResult& result, OutputFormat format, const std::vector<std::string>& fields,
                  std::ostream& out) {
  simdjson::dom::parser parser;
  const std::vector<std::string> columns = fields.empty() ? default_columns() : fields;
  auto each = [&](auto&& fn) {
    for (const auto& line : result.events) {
      simdjson::dom::element e;
      if (parser.parse(line).get(e)) continue;  // run_query only returns objects it parsed
      fn(line, e);
    }
  };
  switch (format) {
    case OutputFormat::Json: {
      out << "{\"count\":" << result.events.size() << (result.complete ? ",\"matched\":" : ",\"matched_at_least\":")
          << result.matched << ",\"events\":[";
      bool first = true;
      each([&](const std::string& line, simdjson::dom::element e) {
        out << (first ? "" : ",") << (fields.empty() ? line : project(e, fields));
        first = false;
      });
      out << "]";
      for (auto [name, cursor] : {std::pair{"next", &result.next}, {"prev", &result.prev}}) {
        if (cursor->empty()) continue;
        std::string quoted;
        append_json_string(quoted, *cursor);
        out << ",\"" << name << "\":" << quoted;
      }
      out << "}\n";
      return;
    }
    case OutputFormat::Jsonl:
      each([&](const std::string& line, simdjson::dom::element e) {
        out << (fields.empty() ? line : project(e, fields)) << "\n";
      });
      return;
    case OutputFormat::Csv: {
      std::string row;
      for (size_t i = 0; i < columns.size(); ++i) {
        if (i) row.push_back(',');
        append_csv_field(row, columns[i]);
      }
      out << row << "\r\n";
      each([&](const std::string&, simdjson::dom::element e) {
        row.clear();
        for (size_t i = 0; i < columns.size(); ++i) {
          if (i) row.push_back(',');
          append_csv_field(row, cell(e, columns[i]));
        }
        out << row << "\r\n";
      });
      return;
    }
    case OutputFormat::Table: {
      std::string row;
      for (const auto& c : columns) row += truncated(c, column_width(c)) + "  ";
      out << row << "\n";
      each([&](const std::string&, simdjson::dom::element e) {
        row.clear();
        for (const auto& c : columns) row += truncated(printable(cell(e, c)), column_width(c)) + "  ";
        out << row << "\n";
      });
      out << "(" << result.events.size() << " of " << (result.complete ? "" : "at least ") << result.matched
          << " matching events)\n";
      if (!result.next.empty()) out << "next: --after " << result.next << "\nprev: --before " << result.prev << "\n";
      return;
    }
  }
}

}  // namespace traild::ctl
