// The integrity chain's parts: the canonical form (docs/integrity.md), the hashes, the
// stamper and the verifier fed by hand.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "common/json_escape.hpp"
#include "integrity/canonical_json.hpp"
#include "integrity/chain.hpp"
#include "integrity/verifier.hpp"

namespace traild {
namespace {

std::string double_text(double v) {
  std::string out;
  append_double(out, v);
  return out;
}

// Exactly Python's repr() of the same floats (printed by python3 when this was written),
// so a verifier in Python rebuilds the same bytes.
TEST(CanonicalJson, DoublesAreLaidOutAsPythonReprDoes) {
  const std::pair<double, const char*> cases[] = {
      {1.0, "1.0"}, {0.0001, "0.0001"}, {1e-05, "1e-05"}, {1e16, "1e+16"}, {1.5e-07, "1.5e-07"},
      {123.456, "123.456"}, {-0.0, "-0.0"}, {1e100, "1e+100"}, {1234567890123456.0, "1234567890123456.0"},
      {12345678901234567.0, "1.2345678901234568e+16"}, {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"}, {0.1, "0.1"}, {100.0, "100.0"}, {2.5e-4, "0.00025"}};
  for (const auto& [v, text] : cases) EXPECT_EQ(double_text(v), text) << v;
}

std::string canonical(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json.data(), json.size()).value();
  CanonicalWriter writer;
  std::string out;
  writer.write(doc, out);
  return out;
}

TEST(CanonicalJson, MembersAreSortedByUtf8BytesAtEveryLevelAndArraysKeepTheirOrder) {
  EXPECT_EQ(canonical(R"({ "z": 1, "é": 2, "A": {"b": [3, {"y": true, "x": null}], "a": "\u0001\u007f"}, "_": 1.50 })"),
            "{\"A\":{\"a\":\"\\u0001\\u007f\",\"b\":[3,{\"x\":null,\"y\":true}]},\"_\":1.5,\"z\":1,\"é\":2}");
}

// Found by verify_fuzz: with duplicate keys (never written by traild, but verify may be
// handed anything) the canonical form must still be stable under a second pass.
TEST(CanonicalJson, DuplicateKeysKeepTheirOrderSoTheFormIsStable) {
  const std::string once = canonical(R"({"b":1,"a":2,"a":1,"a":{"z":1,"z":0}})");
  EXPECT_EQ(once, R"({"a":2,"a":1,"a":{"z":1,"z":0},"b":1})");
  EXPECT_EQ(canonical(once), once);
}

TEST(CanonicalJson, TheChainIsMergedIntoTraildOrAddedAsIt) {
  simdjson::dom::parser parser;
  CanonicalWriter writer;
  std::string out;
  const std::string prev(kGenesisHash);
  size_t at = writer.write_event(parser.parse(std::string(R"({"b":1,"a":2})")).value().get_object().value(),
                                 {prev, 9}, out);
  EXPECT_EQ(out, R"({"a":2,"b":1,"traild":{"chain":{"prev":")" + prev + R"(","sequence":9}}})");
  EXPECT_EQ(out.substr(at, 7), "\"prev\":");
  out.clear();
  writer.write_event(parser.parse(std::string(R"({"traild":{"retention":{"x":1}},"a":2})")).value().get_object().value(),
                     {prev, 9}, out);
  EXPECT_EQ(out, R"({"a":2,"traild":{"chain":{"prev":")" + prev + R"(","sequence":9},"retention":{"x":1}}})");
}

TEST(ChainHasher, Sha256AndHmacKnownAnswers) {
  char hex[kChainHashHex];
  ChainHasher sha;
  sha.begin();
  sha.update("abc");
  sha.finish(hex);
  EXPECT_EQ(std::string(hex, kChainHashHex), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ChainHasher hmac("Jefe");  // RFC 4231, test case 2
  for (int twice = 0; twice < 2; ++twice) {  // the key is kept across messages
    hmac.begin();
    hmac.update("what do ya want ");
    hmac.update("for nothing?");
    hmac.finish(hex);
    EXPECT_EQ(std::string(hex, kChainHashHex), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
}

// The pipeline leaves lines unsealed and the writer seals them batch by batch: the result
// must be byte for byte what linking each line at once gives, with and without a key.
TEST(ChainSealer, SealingBatchesOfUnsealedLinesEqualsStampingEachInTurn) {
  for (const std::string key : {"", "a key"}) {
    ChainStamper at_once(key);
    ChainStamper unsealed;
    std::string expected;
    std::string batches[2];
    std::vector<ChainSlot> slots[2];
    for (int i = 1; i <= 5; ++i) {
      std::string line = R"({"event":{"action":"a)" + std::to_string(i) + R"("},"n":")" + std::string(i * 7, 'x') + "\"}";
      const size_t size = line.size();
      line.append(simdjson::SIMDJSON_PADDING, ' ');
      ASSERT_TRUE(at_once.stamp(std::string_view(line.data(), size), static_cast<uint64_t>(i), expected));
      const int b = i <= 3 ? 0 : 1;
      ASSERT_TRUE(unsealed.stamp_unsealed(std::string_view(line.data(), size), static_cast<uint64_t>(i), batches[b],
                                          slots[b]));
    }
    EXPECT_NE(batches[0] + batches[1], expected);  // placeholders until sealed
    ChainSealer sealer(key);
    std::string head(kGenesisHash);
    sealer.seal(batches[0], slots[0], head);
    sealer.seal(batches[1], slots[1], head);
    EXPECT_EQ(batches[0] + batches[1], expected) << "key: " << key;
    EXPECT_EQ(head, at_once.head());
  }
}

// A trail whose newest line was edited may hand the writer a head that is not a hash: it must
// not be copied into the 64-character placeholder as if it were one.
TEST(ChainSealer, AHeadThatIsNotAHashRestartsFromTheGenesisValue) {
  ChainStamper unsealed;
  std::string line = R"({"event":{"action":"a"}})";
  const size_t size = line.size();
  line.append(simdjson::SIMDJSON_PADDING, ' ');
  std::string batch;
  std::vector<ChainSlot> slots;
  ASSERT_TRUE(unsealed.stamp_unsealed(std::string_view(line.data(), size), 1, batch, slots));
  std::string head = "abc";
  ChainSealer().seal(batch, slots, head);
  EXPECT_NE(batch.find(R"("prev":")" + std::string(kGenesisHash) + "\""), std::string::npos) << batch;
  EXPECT_EQ(head.size(), kChainHashHex);
}

// Lines stamped by the chain verify; one changed byte, a dropped line or a swap do not.
class VerifierByHand : public ::testing::Test {
 protected:
  void SetUp() override {
    ChainStamper stamper;
    for (int i = 1; i <= 6; ++i) {
      std::string line = R"({"event":{"action":"a)" + std::to_string(i) + R"("}})";
      const size_t size = line.size();
      line.append(simdjson::SIMDJSON_PADDING, ' ');
      std::string out;
      ASSERT_TRUE(stamper.stamp(std::string_view(line.data(), size), static_cast<uint64_t>(i), out));
      out.pop_back();
      lines.push_back(out);
    }
  }
  VerifyReport verify(const std::vector<std::string>& feed) { return verify_files({feed}); }
  VerifyReport verify_files(const std::vector<std::vector<std::string>>& files) {
    TrailVerifier v({.allow_unsigned_tail = true});
    for (size_t f = 0; f < files.size(); ++f) {
      v.begin_file("t" + std::to_string(f + 1) + ".jsonl");
      for (const auto& l : files[f]) {
        std::string padded = l + std::string(simdjson::SIMDJSON_PADDING, '\0');
        v.feed(std::string_view(padded.data(), l.size()));
      }
    }
    return v.finish();
  }
  std::vector<std::string> lines;
};

TEST_F(VerifierByHand, NamesEachKindOfDamage) {
  VerifyReport ok = verify(lines);
  ASSERT_TRUE(ok.ok()) << ok.failure->detail;
  EXPECT_EQ(ok.events, 6u);
  auto edited = lines;
  edited[2][edited[2].find("a3")] = 'b';
  EXPECT_EQ(verify(edited).failure->kind, "modified");
  auto dropped = lines;
  dropped.erase(dropped.begin() + 2);
  EXPECT_EQ(verify(dropped).failure->kind, "missing");
  auto swapped = lines;
  std::swap(swapped[1], swapped[2]);
  EXPECT_EQ(verify(swapped).failure->kind, "reordered");
  auto doubled = lines;
  doubled.insert(doubled.begin() + 2, lines[1]);
  EXPECT_EQ(verify(doubled).failure->kind, "inserted");
  auto garbage = lines;
  garbage[4] = "{\"not\":\"a trail line\"}";
  EXPECT_EQ(verify(garbage).failure->kind, "modified");
}

// After a failed fdatasync traild writes the group again into a new file: lines already
// checked, repeated byte for byte from a file's first line, are accepted (and noted).
TEST_F(VerifierByHand, AFileMayStartByRepeatingTheLinesBeforeItByteForByte) {
  const auto& l = lines;
  VerifyReport repeat = verify_files({{l[0], l[1], l[2], l[3]}, {l[2], l[3], l[4], l[5]}});
  ASSERT_TRUE(repeat.ok()) << repeat.failure->detail;
  EXPECT_EQ(repeat.events, 6u);
  std::string notes;
  for (const auto& n : repeat.notes) notes += n + "\n";
  EXPECT_NE(notes.find("t2.jsonl starts again at sequence 3"), std::string::npos) << notes;
  // Repeats in two files (the retry failed once more and its file went on in the next).
  EXPECT_TRUE(verify_files({{l[0], l[1], l[2], l[3]}, {l[2]}, {l[3], l[4], l[5]}}).ok());
  // Not at a file's start, or not the same bytes: damage as before.
  EXPECT_EQ(verify_files({{l[0], l[1], l[2], l[3], l[2], l[3], l[4]}}).failure->kind, "reordered");
  auto changed = l[3];
  changed[changed.find("a4")] = 'b';
  EXPECT_EQ(verify_files({{l[0], l[1], l[2], l[3]}, {l[2], changed, l[4]}}).failure->kind, "modified");
  // A repeat that skips a line is not one.
  EXPECT_EQ(verify_files({{l[0], l[1], l[2], l[3]}, {l[1], l[3], l[4]}}).failure->kind, "inserted");
}

}  // namespace
}  // namespace traild
