// Redaction of rejected frames before they are quarantined. A rejected frame may not be JSON
// at all (a syslog line, a torn or oversized frame), so it is scanned as text: the value of
// every JSON member whose key is a secret name (`"password": ...`, any depth, escaped keys
// included) and of every `name=value` or `name: value` in free text (inside JSON strings too,
// such as a header line in a message) becomes "[REDACTED]". Names are redact.fields' names
// and the last segment of its dotted paths, case-insensitively: the quarantine errs towards
// redacting more than the trail would. HMAC mode does not apply here; a quarantined frame is
// for reading by a person, not for correlation.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

#include "config/config.hpp"

namespace traild {

class RawRedactor {
 public:
  RawRedactor() = default;  // redacts nothing
  explicit RawRedactor(const RedactConfig& config);

  // Replaces the secret values in `raw` in place; returns how many.
  size_t apply(std::string& raw) const;
  bool enabled() const { return !names_.empty(); }

 private:
  bool is_secret_name(std::string_view name) const;
  // Redacts `name=value` / `name: value` pairs in raw[begin, end), which is free text or the
  // inside of a JSON string (`in_string`); returns the new end.
  size_t redact_text(std::string& raw, size_t begin, size_t end, bool in_string, size_t& count) const;

  std::unordered_set<std::string> names_;  // lower case
  size_t longest_ = 0;
};

}  // namespace traild
