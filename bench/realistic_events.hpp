// The audit events the whole-daemon benchmarks send: a realistic mix of logins, object
// changes and failures from several users and addresses, about 450 bytes each, with the
// nested and dotted keys producers really send. One shape per connection number.
#pragma once

#include <string>

namespace traild::bench {

// `count` NDJSON lines ('\n' after each) for connection number `connection`.
std::string make_events(int connection, int count);

}  // namespace traild::bench
