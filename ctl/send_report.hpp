// Sending frames with acknowledgements and reporting the outcome the same way for every
// subcommand that feeds traild (send, import): each rejection as "WHERE: CODE: MESSAGE",
// then "N accepted, M rejected".
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/ack_client.hpp"

namespace traild::ctl {

// traild's stream socket where the packaged units create it.
inline constexpr const char* kDefaultSocket = "/run/traild/traild.sock";

// `where(i)` names frame i for a rejection line; `rejected_before` counts frames already
// refused locally. Returns the exit code: 0 all accepted, 1 anything rejected or traild
// unreachable.
int send_and_report(std::string_view command, const std::string& socket, const Handshake& handshake,
                    const std::vector<std::string_view>& frames, const std::function<std::string(size_t)>& where,
                    size_t rejected_before = 0);

}  // namespace traild::ctl
