// Whether text is an IPv4 or IPv6 address, as ECS's ip type requires.
#pragma once

#include <string_view>

namespace traild {

bool is_ip_address(std::string_view s);

}  // namespace traild
