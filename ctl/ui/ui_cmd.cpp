// trailctl ui: serves the Event History page and its read-only API for the trail under DIR.
#include <openssl/rand.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <cstdlib>
#include <iostream>

#include "common/hex.hpp"
#include "common/secret_file.hpp"
#include "ctl/commands.hpp"
#include "ctl/input.hpp"
#include "ctl/send_report.hpp"
#include "ctl/ui/http_server.hpp"

namespace traild::ctl {
namespace {

void ui_usage(std::ostream& out) {
  out << "usage: trailctl ui [DIR] [--listen ADDRESS:PORT] [--token-file FILE] [--allow-remote] [--socket PATH]\n"
         "                  [--max-export N]\n\n"
         "Serves a read-only Event History page for the trail under DIR (default /var/log/traild)\n"
         "and prints the URL to open, which carries a random access token.\n\n"
         "  --listen ADDRESS:PORT  where to listen (default 127.0.0.1:8765; port 0 picks a free one)\n"
         "  --token-file FILE      the access token to require, instead of a random one (at least 16\n"
         "                         bytes; the file must not be readable by group or others)\n"
         "  --allow-remote         allow an ADDRESS other than loopback (the page has no TLS)\n"
         "  --socket PATH          traild's socket, to record downloads in the trail (default "
      << kDefaultSocket << ")\n"
         "  --max-export N         the most events one download may hold (default 250000; it is built in memory)\n\n"
         "Stops on SIGINT or SIGTERM. Exit status: 0 stopped, 1 cannot read DIR or listen, 2 bad usage.\n";
}

// "127.0.0.1:8765", "[::1]:8765", "localhost:8765".
std::optional<boost::asio::ip::tcp::endpoint> parse_listen(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  unsigned long port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return std::nullopt;
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port > 65535) return std::nullopt;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return boost::asio::ip::tcp::endpoint(address, static_cast<uint16_t>(port));
}

std::string random_token() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for the access token");
  std::string hex(2 * sizeof bytes, '\0');
  hex_encode(bytes, sizeof bytes, hex.data());
  return hex;
}

}  // namespace

int cmd_ui(const std::vector<std::string>& args) {
  std::string directory = "/var/log/traild", listen = "127.0.0.1:8765", token_file, socket = kDefaultSocket;
  bool allow_remote = false;
  size_t max_export = 250'000;
  auto usage_error = [](const std::string& why) {
    std::cerr << "trailctl ui: " << why << "\n";
    return 2;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      ui_usage(std::cout);
      return 0;
    }
    if (a == "--allow-remote") {
      allow_remote = true;
      continue;
    }
    if (a.empty() || a[0] != '-') {
      directory = a;
      continue;
    }
    if (i + 1 >= args.size()) return usage_error(a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--listen")
      listen = v;
    else if (a == "--token-file")
      token_file = v;
    else if (a == "--socket")
      socket = v;
    else if (a == "--max-export") {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || v[0] == '-' || n == 0 || n > 100'000'000)
        return usage_error("--max-export must be a number of events from 1 to 100000000");
      max_export = static_cast<size_t>(n);
    }
    else
      return usage_error("unknown option '" + a + "' (see trailctl ui --help)");
  }
  const auto endpoint = parse_listen(listen);
  if (!endpoint) return usage_error("--listen: expected ADDRESS:PORT (127.0.0.1:8765, [::1]:8765); got \"" + listen + "\"");
  if (!endpoint->address().is_loopback()) {
    if (!allow_remote)
      return usage_error("--listen " + listen + " is not a loopback address: the page would be reachable from other "
                         "hosts, without TLS; pass --allow-remote to do it anyway");
    std::cerr << "trailctl ui: WARNING: listening on " << listen
              << ", reachable from other hosts without TLS: anyone who sees the token can read the trail\n";
  }
  std::string token;
  if (!token_file.empty()) {
    std::string error;
    token = read_secret_key_file(token_file, error);
    if (token.empty()) return usage_error("--token-file: " + error);
    for (unsigned char c : token)
      if (c <= 0x20 || c >= 0x7f) return usage_error("--token-file: the token must be printable ASCII without spaces");
  } else {
    token = random_token();
  }
  if (const auto why = unlistable_directory(directory)) {
    std::cerr << "trailctl ui: " << *why << "\n";
    return 1;
  }
  try {
    boost::asio::io_context io;
    HttpServer server(io, *endpoint);
    const UiRoutes routes({directory, token, socket, UiRoutes::cookie_name_for_port(server.port()), max_export});
    std::string host = endpoint->address().to_string();
    if (endpoint->address().is_v6()) host = "[" + host + "]";
    std::cout << "trailctl ui: serving the trail under " << directory << "\n"
              << "open http://" << host << ":" << server.port() << "/?token="
              << (token_file.empty() ? token : std::string("<the token in ") + token_file + ">") << "\n"
              << std::flush;
    server.run(routes);
  } catch (const std::exception& e) {
    std::cerr << "trailctl ui: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace traild::ctl
