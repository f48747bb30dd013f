// Starting traild's helper threads (the writer, the datagram receiver). They block every
// signal, so SIGTERM and SIGHUP always reach the I/O thread, whose signal_set handles them,
// and carry a name that top -H, ps -L and perf show.
#pragma once

#include <functional>
#include <string>
#include <thread>

namespace traild {

// `name`: at most 15 characters (the kernel's limit).
std::thread start_worker_thread(const std::string& name, std::function<void()> body);

}  // namespace traild
