// Why a frame was rejected: a stable code (the wire protocol's "error" value) and a message
// that names the field and the problem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace traild {

enum class RejectCode : uint8_t {
  InvalidJson,
  InvalidUtf8,
  NotObject,
  TooLarge,
  TooDeep,
  DuplicateKey,
  InvalidFieldName,
  TypeMismatch,
  MissingField,
  ReservedField,
  InvalidTimestamp,
  InvalidEventId,
  NulCharacter,
  InvalidSyslog,  // a record starting with '<' whose syslog header is malformed
  NotJson,        // a syslog MSG, or a record, that is not a JSON event
  Fragment,       // a datagram holding more than one record or a piece of one
  AmbiguousDialect,  // input.dialect auto: the record fits more than one dialect
  DialectMismatch,   // a dialect record without a field its dialect requires, or malformed
  InvalidHandshake,  // a handshake naming an unknown dialect
  Unroutable,        // output.route_by names a tenant traild cannot open a trail for
};
inline constexpr size_t kRejectCodes = static_cast<size_t>(RejectCode::Unroutable) + 1;

inline std::string_view reject_code_name(RejectCode c) {
  switch (c) {
    case RejectCode::InvalidJson: return "invalid_json";
    case RejectCode::InvalidUtf8: return "invalid_utf8";
    case RejectCode::NotObject: return "not_an_object";
    case RejectCode::TooLarge: return "too_large";
    case RejectCode::TooDeep: return "too_deep";
    case RejectCode::DuplicateKey: return "duplicate_key";
    case RejectCode::InvalidFieldName: return "invalid_field_name";
    case RejectCode::TypeMismatch: return "type_mismatch";
    case RejectCode::MissingField: return "missing_field";
    case RejectCode::ReservedField: return "reserved_field";
    case RejectCode::InvalidTimestamp: return "invalid_timestamp";
    case RejectCode::InvalidEventId: return "invalid_event_id";
    case RejectCode::NulCharacter: return "nul_character";
    case RejectCode::InvalidSyslog: return "invalid_syslog";
    case RejectCode::NotJson: return "not_json";
    case RejectCode::Fragment: return "fragment";
    case RejectCode::AmbiguousDialect: return "ambiguous_dialect";
    case RejectCode::DialectMismatch: return "dialect_mismatch";
    case RejectCode::InvalidHandshake: return "invalid_handshake";
    case RejectCode::Unroutable: return "unroutable";
  }
  return "invalid";
}

struct Rejection {
  RejectCode code = RejectCode::InvalidJson;
  std::string message;
};

}  // namespace traild
