// Writing one value of a parsed event's tree as JSON, shared by the output formats.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/event_tree.hpp"

namespace traild {

// Appends the scalar at node `idx` as JSON (its redaction text when it was redacted), to a
// std::string or a LineBuffer.
template <class Out>
void append_scalar_json(const ParsedEvent& event, uint32_t idx, Out& out);

// The node at dotted `path` ("user.name") below the root, or kNoNode.
uint32_t find_node(const ParsedEvent& event, std::string_view path);

}  // namespace traild
