// How trailctl query prints an answer: json (one document, as MAAS answers), jsonl, csv
// (RFC 4180 with a header row) or an aligned table for a terminal.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/query/query.hpp"

namespace traild::ctl {

enum class OutputFormat { Json, Jsonl, Csv, Table };

// The columns csv and table show when --fields is not given: Run:ai's Event History defaults.
std::vector<std::string> default_columns();

// `fields` projects json/jsonl events onto those fields too when not empty.
void write_answer(const QueryResult& result, OutputFormat format, const std::vector<std::string>& fields,
                  std::ostream& out);

// One CSV field, quoted when it holds a comma, quote, CR or LF (RFC 4180).
void append_csv_field(std::string& out, std::string_view value);

}  // namespace traild::ctl
