// output.route_by: the field of an event whose value names the tenant (and so the trail) the
// event is written to. The value is read from the validated, redacted tree; it becomes a
// directory name only through tenant_directory_name (reporters/tenant_directory.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/event_tree.hpp"

namespace traild {

class RouteField {
 public:
  RouteField() = default;  // routes nothing
  explicit RouteField(std::string_view dotted_path);
  bool enabled() const { return !segments_.empty(); }

  // The tenant of `event`: a string value as it is, a number as its JSON text. Empty (the
  // host's trail) when the field is absent, an empty string, redacted, or of another type.
  // The result may point into `scratch`.
  std::string_view tenant(const ParsedEvent& event, std::string& scratch) const;

 private:
  std::vector<std::string> segments_;
};

}  // namespace traild
