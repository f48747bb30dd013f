// Reading other systems' audit exports for `trailctl import`: each source format is split
// into one JSON object per audit record, which traild then maps with the dialect's mapper.
//   maas      `maas PROFILE events query` output (with or without its "Success." preamble):
//             the {count, events, next_uri, prev_uri} envelope, an array, or JSON lines
//   runai     the audit API's JSON array, JSON lines, or the Event History CSV download
//   salt      get_audit's return: {count, results} (or {"ret": ...}) as JSON, or as the
//             Python repr the Salt client prints (RPCResponse(..., ret={...}, ...))
//   gravitee  the file reporter's JSON lines (JSON or ELASTICSEARCH format), or an array
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/dialect/dialect.hpp"

namespace traild::ctl {

// Splits `text` into records (each a JSON object). False with `error` when the text is not
// in any of the dialect's export formats.
bool read_export(Dialect dialect, std::string_view text, std::vector<std::string>& records, std::string& error);

// Converts one Python literal (dict, list, tuple, str, int, float, True, False, None) that
// starts at `pos` to JSON, advancing `pos` past it.
bool python_literal_to_json(std::string_view text, size_t& pos, std::string& out, std::string& error);

// Converts a Run:ai Event History CSV (RFC 4180, header row first) to records keyed by the
// audit API's field names; the UI's column titles ("User/App", "Event ID", ...) are
// translated, unknown columns kept under their own names.
bool runai_csv_to_records(std::string_view text, std::vector<std::string>& records, std::string& error);

}  // namespace traild::ctl
