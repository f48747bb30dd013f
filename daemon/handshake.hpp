// The stream protocol's optional first frame: {"traild":{"ack":true}} asks for one reply per
// frame; "dialect" and "instance" beside "ack" name the shape of every following event
// (as input.dialect would) and the source system instance used in derived event ids.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "daemon/dialect/dialect.hpp"

namespace traild {

// What a client chose for its connection; unset fields fall back to the configuration.
struct ClientChoice {
  std::optional<Dialect> dialect;
  std::string instance;
};

class HandshakeParser {
 public:
  enum class Result { NotHandshake, Accepted, Invalid };

  // Recognises the handshake. Invalid means the frame is meant as one (a "traild" object
  // asking for acks) but names an unknown dialect or field; `error` says which.
  Result parse(std::string_view record, ClientChoice& choice, std::string& error);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace traild
