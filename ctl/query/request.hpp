// A query as named parameters: what trailctl query's options and trailctl ui's URL
// parameters both become, so the two share one set of rules and one set of errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ctl/query/output.hpp"
#include "ctl/query/query.hpp"

namespace traild::ctl {

// One parameter by its name without dashes ("actor", "where", "limit"). The flags "all",
// "reverse" and "failed" take "true"/"1"/"" (on) or "false"/"0" (off).
struct QueryParam {
  std::string name;
  std::string value;
};

struct QueryRequest {
  QueryOptions options;  // options.directory is left to the caller
  OutputFormat format = OutputFormat::Json;
  std::vector<std::string> fields;
  std::string description;  // the filter as given, for the record of an export
};

// An answer shown a page at a time (limit defaults to 50, at most 1000), or an export of
// every match (no limit unless one is given).
enum class QueryPurpose { Page, Export };

// Parses the parameters. Returns nullopt with `error` naming the parameter and the problem;
// `option_prefix` is how parameter names are shown in errors ("--" for the command line).
std::optional<QueryRequest> parse_query_request(const std::vector<QueryParam>& params, QueryPurpose purpose,
                                                int64_t now_ms, const std::string& option_prefix, std::string& error);

// The parameter names parse_query_request knows, for usage texts and the web page.
const std::vector<std::string>& query_param_names();

}  // namespace traild::ctl
