// Trail lines as traild writes them (~450-byte ECS events, keys in traild's order), for the
// query benchmarks: made directly, because writing 10 million events through the daemon
// would measure the daemon, not the reader.
#pragma once

#include <cstdint>
#include <string>

namespace traild::bench {

// Event `i` at `unix_ms` with `sequence`: user `user<i % users>`, action role-update, every
// 7th a failure, entity obj-<i>, source 10.0.1.<i % 250>. Ends with '\n'.
std::string synthetic_event_line(int64_t unix_ms, uint64_t sequence, uint64_t i, uint64_t users = 500);

}  // namespace traild::bench
