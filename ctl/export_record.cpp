#include "ctl/export_record.hpp"

#include <pwd.h>
#include <unistd.h>

#include "common/json_escape.hpp"
#include "ctl/ack_client.hpp"

namespace traild::ctl {

std::string record_export(const std::string& socket, const ExportRecord& record) {
  std::string event = "{\"event\":{\"action\":\"trail-export\",\"category\":[\"database\"],\"type\":[\"access\"],"
                      "\"outcome\":\"success\"},\"message\":";
  append_json_string(event, record.tool + " exported " + std::to_string(record.count) + " events" +
                                (record.format.empty() ? "" : " as " + record.format) +
                                (record.recipient.empty() ? "" : " to " + record.recipient) + ": " +
                                (record.filter.empty() ? "(no filter)" : record.filter));
  if (!record.destination.empty()) {
    event.append(",\"file\":{\"path\":");
    append_json_string(event, record.destination);
    event.append("}");
  }
  // Who ran it, by name: a claim beside the uid the kernel attests (process.user.id), so the
  // record reads well in the Event History's User/App column.
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr) {
    event.append(",\"user\":{\"name\":");
    append_json_string(event, pw->pw_name);
    event.append("}");
  }
  event.append("}");
  try {
    AckClient client(socket);
    std::string refusal = "traild did not answer";
    client.send_all({event}, [&](size_t, const AckReply& r) { refusal = r.ok ? "" : "traild refused the record"; });
    return refusal;
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace traild::ctl
