#include "ctl/send_report.hpp"

#include <iostream>

namespace traild::ctl {

int send_and_report(std::string_view command, const std::string& socket, const Handshake& handshake,
                    const std::vector<std::string_view>& frames, const std::function<std::string(size_t)>& where,
                    size_t rejected_before) {
  size_t accepted = 0, rejected = rejected_before;
  try {
    AckClient client(socket, handshake);
    client.send_all(frames, [&](size_t i, const AckReply& r) {
      if (r.ok) {
        ++accepted;
      } else {
        ++rejected;
        std::cout << where(i) << ": " << r.error << ": " << r.message << "\n";
      }
    });
  } catch (const std::exception& e) {
    std::cerr << "trailctl " << command << ": " << e.what() << "\n";
    std::cout << accepted << " accepted, " << rejected << " rejected\n";
    return 1;
  }
  std::cout << accepted << " accepted, " << rejected << " rejected\n";
  return rejected == 0 ? 0 : 1;
}

}  // namespace traild::ctl
