#include "realistic_events.hpp"

#include <cstdio>

namespace traild::bench {

std::string make_events(int connection, int count) {
  static const char* actions[] = {"user-login", "user-logout", "machine-deploy", "role-update",
                                  "token-create", "project-delete", "policy-change", "job-submit"};
  static const char* outcomes[] = {"success", "success", "success", "failure"};
  std::string out;
  char line[1024];
  for (int i = 0; i < count; ++i) {
    int n = std::snprintf(
        line, sizeof line,
        "{\"@timestamp\":\"2026-11-21T10:%02d:%02d.%03dZ\",\"event\":{\"action\":\"%s\","
        "\"category\":[\"iam\"],\"type\":[\"change\"],\"outcome\":\"%s\",\"reason\":\"console\"},\"user\":{\"name\":\"user%03d\",\"id\":\"u-%06d\",\"roles\":[\"admin\","
        "\"auditor\"]},\"source\":{\"ip\":\"10.%d.%d.%d\",\"port\":%d},\"entity.target.id\":\"obj-%d-%d\","
        "\"entity.target.type\":\"host\",\"organization\":{\"id\":\"tenant-%d\"},\"user_agent\":{"
        "\"original\":\"Mozilla/5.0 (X11; Linux x86_64)\"},\"message\":\"%s by "
        "user%03d\"}\n",
        (i / 60) % 60, i % 60, i % 1000, actions[i % 8], outcomes[i % 4], i % 97, i % 9973,
        connection, (i / 256) % 256, i % 256, 1024 + i % 60000, connection, i, i % 13, actions[i % 8],
        i % 97);
    out.append(line, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace traild::bench
