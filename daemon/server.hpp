// The daemon: wires config, file streams, writer, pipeline and listeners together, and
// handles the lifecycle (SIGTERM drains and exits 0, SIGHUP reloads the configuration).
#pragma once

#include <string>

#include "config/config.hpp"

namespace traild {

// Runs traild in the foreground until SIGTERM or SIGINT. Returns the process exit code.
int run_server(const Config& config, const std::string& config_path);

}  // namespace traild
