// Records an export of the trail in the trail itself, as a `trail-export` event sent
// through traild's socket: what was exported (the filter, how many events, where to) by
// whom (the kernel tells traild who sent it). Used by trailctl query --output and by the
// downloads of trailctl ui.
#pragma once

#include <cstddef>
#include <string>

namespace traild::ctl {

struct ExportRecord {
  std::string tool;         // "trailctl query", "trailctl ui"
  std::string filter;       // the parameters as given; "" for none
  size_t count = 0;         // events exported
  std::string destination;  // a file path, or "" when sent to a browser
  std::string format;       // csv, json, ...; "" when not worth naming
  std::string recipient;    // the browser's address, or "" for a file
};

// Sends the record to traild at `socket` and waits for its acknowledgement. Returns "" on
// success, else why it is not recorded (traild not running, refused).
std::string record_export(const std::string& socket, const ExportRecord& record);

}  // namespace traild::ctl
