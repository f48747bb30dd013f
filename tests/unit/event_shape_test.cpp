// EventParser's known shapes (daemon/event_shape.hpp): a parser that has seen a record's
// shape must accept, refuse and build exactly what a parser seeing it for the first time
// does. Each case is parsed by a parser kept across cases and by a new one, and the two
// outcomes (error code and message, or the formatted line) must be the same.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "daemon/event_parser.hpp"
#include "integrity/chain.hpp"
#include "reporters/ecs_formatter.hpp"

namespace traild {
namespace {

struct Outcome {
  bool ok = false;
  RejectCode code{};
  std::string message;
  std::string line;
};

Outcome parse_with(EventParser& parser, const std::string& json, ParseOptions options = {}) {
  std::string padded = json + std::string(EventParser::kPadding, '\0');
  ParsedEvent ev;
  Rejection why;
  Outcome o;
  o.ok = parser.parse({padded.data(), json.size()}, ev, why, options);
  if (!o.ok) {
    o.code = why.code;
    o.message = why.message;
    return o;
  }
  AttestedSender sender{true, 42, 1000, 1000, "app", "/usr/bin/app"};
  Enrichment en{"2026-01-01T00:00:00.000Z", ev.id.empty() ? "gen-id" : ev.id, "2026-01-01T00:00:01.000Z", "host1",
                7, "", kGenesisHash, sender};
  format_ecs_line(ev, en, o.line);
  return o;
}

// Parses `json` with `warm` and with a new parser and expects the same outcome.
void expect_same_as_new_parser(EventParser& warm, const std::string& json, ParseOptions options = {}) {
  EventParser cold({1 << 16, 32});
  const Outcome a = parse_with(warm, json, options);
  const Outcome b = parse_with(cold, json, options);
  EXPECT_EQ(a.ok, b.ok) << json;
  EXPECT_EQ(a.code, b.code) << json;
  EXPECT_EQ(a.message, b.message) << json;
  EXPECT_EQ(a.line, b.line) << json;
}

const std::string kBase =
    R"({"@timestamp":"2026-11-21T10:00:00.000Z","event":{"action":"user-login","category":["iam"],)"
    R"("outcome":"success","id":"e-1"},"user":{"name":"alice","roles":["admin","auditor"]},)"
    R"("source":{"ip":"10.0.0.1","port":22},"entity.target.id":"obj-1","labels":{"k":"v"},)"
    R"("process":{"pid":7,"name":"sshd"},"custom":[{"a":1},[2,3]],"message":"hello"})";

// Same keys as kBase, other values: each is accepted or refused on its value alone.
const std::vector<std::string> kSameShape = {
    kBase,
    R"({"@timestamp":"2026-11-21T11:00:00+02:00","event":{"action":"logout","category":["session"],)"
    R"("outcome":"failure","id":"e-2"},"user":{"name":"bob","roles":["x","y"]},)"
    R"("source":{"ip":"::1","port":2222},"entity.target.id":"obj-2","labels":{"k":"w"},)"
    R"("process":{"pid":8,"name":"other"},"custom":[{"a":"s"},[4,5]],"message":"bye"})",
    // values refused by their ECS type, by a special field's rule, or by an allowed list
    R"({"@timestamp":"yesterday","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["nope"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"ok","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":""},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":5,"roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a",null]},"source":{"ip":"300.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1.5},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":null,"labels":{"k":true},"process":{"pid":"1","name":"n"},"custom":[{"a":1},[2,3]],"message":null})",
    // a value that is a string with escapes, and one with a NUL
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a\"b","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"a\u0000b"})",
};

// Other shapes near kBase: a value of another kind, an array of another length, a key more,
// less, renamed, repeated or reordered. Each must be judged as its own shape.
const std::vector<std::string> kNearShapes = {
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":"iam","outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam","session"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":{"x":1}})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":["m"]})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},{"b":2}],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"msg":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m","extra":1})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]]})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m","message":"n"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1,"a":2},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"roles":["a","b"],"name":"a"},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target":{"id":"o"},"labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"message":"m"})",
    R"({"@timestamp":"2026-11-21T10:00:00Z","event":{"action":"a","category":["iam"],"outcome":"success","id":"e"},"user":{"name":"a","roles":["a","b"]},"source":{"ip":"10.0.0.1","port":1},"entity.target.id":"o","labels":{"k":"v"},"process":{"pid":1,"name":"n"},"custom":[{"a":1},[2,3]],"event.sequence":1})",
};

TEST(EventShape, ARecordOfAKnownShapeIsJudgedAndBuiltAsByANewParser) {
  EventParser warm({1 << 16, 32});
  const Outcome base = parse_with(warm, kBase);
  ASSERT_TRUE(base.ok) << base.message;
  for (int round = 0; round < 2; ++round) {
    for (const auto& json : kSameShape) expect_same_as_new_parser(warm, json);
    for (const auto& json : kNearShapes) {
      expect_same_as_new_parser(warm, kBase);  // the base shape known again before each
      expect_same_as_new_parser(warm, json);
    }
  }
  EXPECT_GE(warm.replayed(), 2 * kNearShapes.size());  // kBase, each time but the first of each round
  EXPECT_GE(warm.read_by_layout(), kNearShapes.size());  // kBase has no backslash: its bytes are learned
}

TEST(EventShape, AKnownShapeIsJudgedUnderTheOptionsOfTheRecordAtHand) {
  EventParser warm({1 << 16, 32});
  for (int i = 0; i < 4; ++i) {
    expect_same_as_new_parser(warm, kBase, {false, false, true});
    expect_same_as_new_parser(warm, kBase, {false, false, false});
    expect_same_as_new_parser(warm, kBase, {false, true, true});
  }
}

TEST(EventShape, AShapeKnownUnderADeeperLimitIsJudgedAgainAfterTheLimitFalls) {
  EventParser parser({1 << 16, 32});
  const std::string deep = R"({"event":{"action":"a"},"labels":{"a":{"b":{"c":{"d":1}}}}})";
  ASSERT_TRUE(parse_with(parser, deep).ok);
  ASSERT_TRUE(parse_with(parser, deep).ok);
  parser.set_limits({1 << 16, 4});
  const Outcome o = parse_with(parser, deep);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.code, RejectCode::TooDeep);
}

TEST(EventShape, TheShapeOfAnEventOfMoreNodesThanTheLimitIsNotKept) {
  EventParser parser({1 << 20, 32});
  std::string big = R"({"event":{"action":"a"},"labels":{)";
  for (size_t i = 0; i <= EventShape::kMaxSteps; ++i) big += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"v\"";
  big += "}}";
  ASSERT_TRUE(parse_with(parser, big).ok);
  ASSERT_TRUE(parse_with(parser, big).ok);
  EXPECT_EQ(parser.replayed(), 0u);
  const std::string small = R"({"event":{"action":"a"},"labels":{"k":"v"}})";
  ASSERT_TRUE(parse_with(parser, small).ok);
  ASSERT_TRUE(parse_with(parser, small).ok);
  EXPECT_EQ(parser.replayed(), 1u);
}

// Many producers' shapes interleaved, values varied at random (mostly ones the field takes,
// now and then any kind of value): always judged as a new parser judges.
TEST(EventShape, RandomValuesInInterleavedShapesAreJudgedAsByANewParser) {
  // %N: a value from kFits[N], or now and then from kAny.
  const std::vector<std::string> shapes = {
      R"({"event":{"action":%0,"outcome":%1},"user.name":%0,"source":{"ip":%2,"port":%3}})",
      R"({"@timestamp":%4,"event.action":%0,"event.id":%0,"labels":{"a":%0},"tags":[%0,%0]})",
      R"({"event":{"action":%0,"kind":%5,"created":%4},"process":{"pid":%3,"name":%0},"host.hostname":%0})",
  };
  const std::vector<std::vector<std::string>> kFits = {
      {R"("a")", R"("login")", R"("x\"y")", R"("é")"},
      {R"("success")", R"("failure")", R"("unknown")"},
      {R"("10.1.2.3")", R"("::1")", R"("fe80::1")"},
      {"22", "0", "65535", "-1"},
      {R"("2026-11-21T10:00:00Z")", R"("2026-11-21T10:00:00.123+02:00")"},
      {R"("event")", R"("alert")"},
  };
  const std::vector<std::string> kAny = {
      R"("")", "1.5", "true", "null", "[]", R"(["x"])", R"([1,2])", R"({})", R"({"k":1})", R"("ok")",
      "99999999999", R"("a\u0000b")", R"("300.1.1.1")"};
  std::mt19937 rng(12345);
  EventParser warm({1 << 16, 32});
  for (int i = 0; i < 3000; ++i) {
    const std::string& shape = shapes[rng() % shapes.size()];
    std::string json;
    for (size_t p = 0; p < shape.size(); ++p) {
      if (shape[p] != '%') {
        json += shape[p];
        continue;
      }
      const auto& fits = kFits[static_cast<size_t>(shape[++p] - '0')];
      json += rng() % 8 == 0 ? kAny[rng() % kAny.size()] : fits[rng() % fits.size()];
    }
    ParseOptions options{false, false, rng() % 2 == 0};
    expect_same_as_new_parser(warm, json, options);
    if (HasFailure()) return;
  }
  EXPECT_GT(warm.replayed(), 500u);
  EXPECT_GT(warm.read_by_layout(), 100u);  // most records here hold an escaped quote: no layout
}

// A record laid out like a known one but with any of its bytes changed, inserted or removed
// (to a control character, quote, backslash, DEL, byte of a UTF-8 sequence, digit, sign,
// letter or space): whatever path it takes, it is judged as a new parser judges it.
TEST(EventShape, ARecordOfAKnownLayoutWithAnyByteChangedIsJudgedAsByANewParser) {
  const std::string base =
      R"({"@timestamp":"2026-11-21T10:00:00.000Z","event":{"action":"user-login","category":["iam"],)"
      R"("outcome":"success","id":"e-1","kind":"event"},"user":{"name":"alice","roles":["admin","auditor"]},)"
      R"("source":{"ip":"10.0.0.1","port":22},"entity.target.id":"obj-1","labels":{"k":true,"n":null},)"
      R"("process":{"pid":7,"name":"sshd"},"host.hostname":"h1","message":"hello wörld"})";
  const std::string kBytes = "\x01\x1f\"\\\x7f\xc3\xa9\xff-+.e0912 azZ{}[],:";
  std::mt19937 rng(777);
  EventParser warm({1 << 16, 32});
  uint64_t matched = 0;
  for (int i = 0; i < 4000; ++i) {
    ASSERT_TRUE(parse_with(warm, base, {false, false, true}).ok);  // its layout known again
    std::string json = base;
    for (int edits = 1 + static_cast<int>(rng() % 2); edits > 0; --edits) {
      const size_t at = rng() % json.size();
      const char byte = kBytes[rng() % kBytes.size()];
      switch (rng() % 3) {
        case 0: json[at] = byte; break;
        case 1: json.insert(at, 1, byte); break;
        default: json.erase(at, 1); break;
      }
    }
    const uint64_t before = warm.read_by_layout();
    expect_same_as_new_parser(warm, json, {false, false, true});
    matched += warm.read_by_layout() - before;
    if (HasFailure()) return;
  }
  EXPECT_GT(matched, 200u);  // edits inside values that leave the layout: read through it
}

// A layout reads values of a known kind, and only the checks that could refuse such a value
// run on it (EventParser::accepts_every_plain): an allowed list, a date, an IP address, an
// integer's range, each also in an array. Each record below has the base's layout; whatever
// a new parser refuses, the warm one refuses too, and what it accepts went through the layout.
TEST(EventShape, ValuesReadThroughALayoutAreCheckedWhereTheirFieldCanRefuseThem) {
  auto record = [](std::string_view outcome, std::string_view category, std::string_view start,
                   std::string_view ip, std::string_view count, std::string_view score) {
    return std::string(R"({"event":{"action":"a","outcome":")") + std::string(outcome) +
           R"(","category":[")" + std::string(category) + R"("],"start":")" + std::string(start) +
           R"(","risk_score":)" + std::string(score) + R"(},"source":{"ip":")" + std::string(ip) +
           R"(","port":22},"gen_ai":{"request":{"choice":{"count":)" + std::string(count) +
           R"(}}},"related":{"ip":["10.0.0.2"]},"user":{"name":"u"},"labels":{"n":"1"},"custom":7})";
  };
  const std::string base = record("success", "iam", "2026-11-21T10:00:00Z", "10.0.0.1", "3", "5");
  const std::vector<std::string> refused = {
      record("ok", "iam", "2026-11-21T10:00:00Z", "10.0.0.1", "3", "5"),
      record("success", "nope", "2026-11-21T10:00:00Z", "10.0.0.1", "3", "5"),
      record("success", "iam", "yesterday", "10.0.0.1", "3", "5"),
      record("success", "iam", "2026-11-21T10:00:00Z", "300.0.0.1", "3", "5"),
      record("success", "iam", "2026-11-21T10:00:00Z", "10.0.0.1", "3000000000", "5"),
      std::string(base).replace(base.find("10.0.0.2"), 8, "10.0.0.x"),
  };
  const std::vector<std::string> accepted = {
      record("failure", "session", "2026-11-22T10:00:00+02:00", "::1", "-7", "-12345678901"),
      record("unknown", "host", "2026-11-21T10:00:00.123Z", "192.168.1.1", "2147483647", "0"),
  };
  EventParser warm({1 << 16, 32});
  for (int round = 0; round < 3; ++round) {
    expect_same_as_new_parser(warm, base);
    for (const auto& json : refused) {
      ASSERT_FALSE(parse_with(warm, json).ok) << json;
      expect_same_as_new_parser(warm, json);
    }
    for (const auto& json : accepted) {
      const uint64_t before = warm.read_by_layout();
      expect_same_as_new_parser(warm, json);
      EXPECT_EQ(warm.read_by_layout(), before + 1) << json;
    }
  }
}

}  // namespace
}  // namespace traild
