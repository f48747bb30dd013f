// trailctl's subcommands. Each returns the exit code: 0 success, 1 failed check or
// rejected input, 2 bad usage.
#pragma once

#include <string>
#include <vector>

namespace traild::ctl {

int cmd_send(const std::vector<std::string>& args);
int cmd_import(const std::vector<std::string>& args);
int cmd_query(const std::vector<std::string>& args);
int cmd_verify(const std::vector<std::string>& args);
int cmd_stats(const std::vector<std::string>& args);
int cmd_ui(const std::vector<std::string>& args);

}  // namespace traild::ctl
