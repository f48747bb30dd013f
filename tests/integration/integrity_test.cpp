// The tamper-evident trail: traild's chain and digest as trailctl verify and an independent
// verifier (tests/tools/verify_trail.py, written from docs/integrity.md) check them. Each kind
// of tampering is applied to a copy of a clean trail the real daemon wrote and must be
// detected and named.
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <regex>
#include <sstream>

#include "harness.hpp"

namespace traild::test {
namespace {

const fs::path kVerifyPy = fs::path(TRAILD_SOURCE_DIR) / "tests" / "tools" / "verify_trail.py";

// Ed25519 signing key and public key, and a 32-byte HMAC key, mode 0600, under `dir`.
void make_keys(const fs::path& dir) {
  fs::create_directories(dir);
  const std::string d = dir.string();
  auto r = run_command("cd " + d + " && openssl genpkey -algorithm ed25519 -out signing.pem && " +
                       "openssl pkey -in signing.pem -pubout -out public.pem && head -c 32 /dev/urandom > hmac.key && " +
                       "chmod 600 signing.pem hmac.key");
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

std::string integrity_yaml(const fs::path& keys, bool keyed) {
  std::string y = "input:\n  max_event_bytes: 4KiB\nintegrity:\n  signing_key: " + (keys / "signing.pem").string() + "\n";
  if (keyed) y += "  key_file: " + (keys / "hmac.key").string() + "\n";
  return y;
}

// Sends `n` acknowledged events whose actions start with `tag`.
void send_events(Daemon& d, const std::string& tag, int n) {
  std::string events;
  for (int i = 0; i < n; ++i)
    events += "{\"event\":{\"action\":\"" + tag + "\",\"id\":\"" + tag + "-" + std::to_string(i) +
              "\"},\"user\":{\"name\":\"u" + std::to_string(i) + "\"},\"message\":\"" + std::string(80, 'm') + "\"}\n";
  auto r = trailctl_send(d, events);
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

struct Verdict {
  int exit_code;
  std::string output;
};

Verdict trailctl_verify(const fs::path& dir, const fs::path& keys, bool keyed, const std::string& extra = "") {
  std::string cmd = std::string(TRAILCTL_BIN) + " verify " + dir.string() + " --public-key " +
                    (keys / "public.pem").string() + extra;
  if (keyed) cmd += " --key " + (keys / "hmac.key").string();
  auto r = run_command(cmd);
  return {r.exit_code, r.output};
}

Verdict python_verify(const fs::path& dir, const fs::path& keys, bool keyed, const std::string& extra = "") {
  std::string cmd = "python3 " + kVerifyPy.string() + " " + dir.string() + " --public-key " +
                    (keys / "public.pem").string() + extra;
  if (keyed) cmd += " --key " + (keys / "hmac.key").string();
  auto r = run_command(cmd);
  return {r.exit_code, r.output};
}

// Two clean trails written once for the whole suite: one keyed (HMAC), one plain SHA-256,
// each over several files, a restart and a clean stop.
class Integrity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (bool keyed : {true, false}) {
      auto d = std::make_unique<Daemon>(keyed ? "integrity-keyed" : "integrity-plain",
                                        "  rotate: {max_size: 8KiB, interval: 1d}\n");
      make_keys(d->dir() / "keys");
      d->write_config("  rotate: {max_size: 8KiB, interval: 1d}\n", integrity_yaml(d->dir() / "keys", keyed));
      d->start();
      send_events(*d, "first", 60);
      ASSERT_EQ(d->stop(), 0);
      d->start();
      send_events(*d, "second", 60);
      ASSERT_EQ(d->stop(), 0);
      (keyed ? keyed_ : plain_) = std::move(d);
    }
  }
  static void TearDownTestSuite() {
    keyed_.reset();
    plain_.reset();
  }

  // A fresh copy of a clean trail to tamper with.
  fs::path copy_of(const Daemon& d, const std::string& name) {
    const fs::path to = d.dir() / ("copy-" + name);
    fs::remove_all(to);
    fs::copy(d.output(), to, fs::copy_options::recursive);
    return to;
  }
  static std::vector<fs::path> trail_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".jsonl") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::vector<std::string> lines_of(const fs::path& f) {
    std::vector<std::string> out;
    std::ifstream in(f);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  static void write_lines(const fs::path& f, const std::vector<std::string>& lines) {
    std::ofstream out(f, std::ios::trunc);
    for (auto& l : lines) out << l << "\n";
  }
  // Both verifiers must fail on `dir` and trailctl must name `kind`.
  void expect_detected(const Daemon& d, const fs::path& dir, bool keyed, const std::string& kind) {
    const Verdict v = trailctl_verify(dir, d.dir() / "keys", keyed);
    EXPECT_EQ(v.exit_code, 1) << v.output;
    EXPECT_NE(v.output.find("FAILED: " + kind + ":"), std::string::npos) << v.output;
    const Verdict p = python_verify(dir, d.dir() / "keys", keyed);
    EXPECT_EQ(p.exit_code, 1) << p.output;
    EXPECT_NE(p.output.find("FAILED"), std::string::npos) << p.output;
  }

  static std::unique_ptr<Daemon> keyed_, plain_;
};
std::unique_ptr<Daemon> Integrity::keyed_, Integrity::plain_;

TEST_F(Integrity, CleanTrailsVerifyWithBothVerifiers) {
  for (Daemon* d : {keyed_.get(), plain_.get()}) {
    const bool keyed = d == keyed_.get();
    ASSERT_GE(trail_files(d->output()).size(), 3u) << "the trail should span several files";
    const Verdict v = trailctl_verify(d->output(), d->dir() / "keys", keyed);
    EXPECT_EQ(v.exit_code, 0) << v.output;
    EXPECT_NE(v.output.find("OK: 124 events, sequences 1-124"), std::string::npos) << v.output;
    EXPECT_NE(v.output.find("signatures verified"), std::string::npos) << v.output;
    const Verdict p = python_verify(d->output(), d->dir() / "keys", keyed);
    EXPECT_EQ(p.exit_code, 0) << p.output;
  }
  // The keyed trail does not verify without its key, nor the digest with another public key.
  const Verdict nokey = trailctl_verify(keyed_->output(), keyed_->dir() / "keys", false);
  EXPECT_EQ(nokey.exit_code, 1) << nokey.output;
  EXPECT_NE(nokey.output.find("FAILED: modified:"), std::string::npos) << nokey.output;
  const Verdict other = trailctl_verify(keyed_->output(), plain_->dir() / "keys", true);
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.output.find("FAILED: signature invalid:"), std::string::npos) << other.output;
}

TEST_F(Integrity, EditingOneByteOfAValueIsModified) {
  for (Daemon* d : {keyed_.get(), plain_.get()}) {
    const fs::path dir = copy_of(*d, "edit");
    const fs::path f = trail_files(dir)[1];
    auto lines = lines_of(f);
    const size_t at = lines[2].find("\"name\":\"u");
    ASSERT_NE(at, std::string::npos) << lines[2];
    lines[2][at + 9] = 'v';  // u12 -> v12: same length, still valid JSON
    write_lines(f, lines);
    expect_detected(*d, dir, d == keyed_.get(), "modified");
  }
}

TEST_F(Integrity, DeletingALineIsMissing) {
  const fs::path dir = copy_of(*keyed_, "delete-line");
  const fs::path f = trail_files(dir)[1];
  auto lines = lines_of(f);
  lines.erase(lines.begin() + 3);
  write_lines(f, lines);
  expect_detected(*keyed_, dir, true, "missing");
}

TEST_F(Integrity, DeletingAWholeMiddleFileIsMissing) {
  const fs::path dir = copy_of(*plain_, "delete-file");
  const auto files = trail_files(dir);
  fs::remove(files[1]);
  expect_detected(*plain_, dir, false, "missing");
}

TEST_F(Integrity, SwappingTwoLinesIsReordered) {
  const fs::path dir = copy_of(*keyed_, "swap");
  const fs::path f = trail_files(dir)[0];
  auto lines = lines_of(f);
  std::swap(lines[4], lines[5]);
  write_lines(f, lines);
  expect_detected(*keyed_, dir, true, "reordered");
}

TEST_F(Integrity, TruncatingTheLastFileIsTruncated) {
  for (bool mid_line : {true, false}) {
    const fs::path dir = copy_of(*plain_, mid_line ? "cut-mid" : "cut-line");
    const fs::path f = trail_files(dir).back();
    auto lines = lines_of(f);
    ASSERT_GE(lines.size(), 2u);
    uint64_t keep = 0;
    for (size_t i = 0; i + 1 < lines.size(); ++i) keep += lines[i].size() + 1;
    fs::resize_file(f, mid_line ? keep + 20 : keep);
    expect_detected(*plain_, dir, false, "truncated");
  }
}

// An appended line with a correct SHA-256 chain: only the checkpoint written at shutdown
// shows it came later. With the key, its HMAC cannot be made.
TEST_F(Integrity, AppendingAForgedLineIsDetected) {
  const std::string forge =
      "import hashlib, json, sys\n"
      "f = sys.argv[1]\n"
      "last = json.loads(open(f).read().splitlines()[-1])\n"
      "c = last['traild']['chain']\n"
      "ev = {'@timestamp': last['@timestamp'], 'event': {'action': 'forged', 'sequence': c['sequence'] + 1},\n"
      "      'traild': {'chain': {'prev': c['hash'], 'sequence': c['sequence'] + 1}}}\n"
      "ev['traild']['chain']['hash'] = hashlib.sha256(json.dumps(ev, sort_keys=True, separators=(',', ':')).encode()).hexdigest()\n"
      "open(f, 'a').write(json.dumps(ev, sort_keys=True, separators=(',', ':')) + '\\n')\n";
  for (Daemon* d : {plain_.get(), keyed_.get()}) {
    const fs::path dir = copy_of(*d, "append");
    std::ofstream(dir / "forge.py") << forge;
    auto r = run_command("python3 " + (dir / "forge.py").string() + " " + trail_files(dir).back().string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    fs::remove(dir / "forge.py");
    expect_detected(*d, dir, d == keyed_.get(), d == keyed_.get() ? "modified" : "unsigned tail");
  }
}

// An attacker without the key rewrites a file and every line after it into a consistent
// SHA-256 chain: with a key the HMACs give it away, without one the signed checkpoints do.
TEST_F(Integrity, ReplacingAFileWithARewrittenChainIsDetected) {
  const std::string rewrite =
      "import hashlib, json, sys, glob, re\n"
      "files = sorted(glob.glob(sys.argv[1] + '/audit-*.jsonl'))\n"
      "start = int(sys.argv[2])\n"
      "prev = None\n"
      "for i, f in enumerate(files):\n"
      "    lines = open(f).read().splitlines()\n"
      "    if i < start:\n"
      "        prev = json.loads(lines[-1])['traild']['chain']['hash']\n"
      "        continue\n"
      "    out = []\n"
      "    for n, l in enumerate(lines):\n"
      "        ev = json.loads(l)\n"
      "        if i == start and n == 1: ev['user'] = {'name': 'mallory'}\n"
      "        c = ev['traild']['chain']; del c['hash']; c['prev'] = prev\n"
      "        prev = c['hash'] = hashlib.sha256(json.dumps(ev, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode()).hexdigest()\n"
      "        out.append(json.dumps(ev, sort_keys=True, separators=(',', ':'), ensure_ascii=False))\n"
      "    open(f, 'w').write('\\n'.join(out) + '\\n')\n";
  for (Daemon* d : {keyed_.get(), plain_.get()}) {
    const fs::path dir = copy_of(*d, "rewrite");
    std::ofstream(d->dir() / "rewrite.py") << rewrite;
    auto r = run_command("python3 " + (d->dir() / "rewrite.py").string() + " " + dir.string() + " 1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_detected(*d, dir, d == keyed_.get(), "modified");
  }
}

TEST_F(Integrity, TamperingWithTheDigestIsDetected) {
  {  // a checkpoint's hash changed: its signature no longer matches
    const fs::path dir = copy_of(*plain_, "digest-edit");
    auto lines = lines_of(dir / "audit.digest");
    ASSERT_FALSE(lines.empty());
    const size_t at = lines[0].find("\"hash\":\"") + 8;
    lines[0][at] = lines[0][at] == 'a' ? 'b' : 'a';
    write_lines(dir / "audit.digest", lines);
    expect_detected(*plain_, dir, false, "signature invalid");
  }
  {  // a record removed: the next one does not link
    const fs::path dir = copy_of(*plain_, "digest-drop");
    auto lines = lines_of(dir / "audit.digest");
    ASSERT_GE(lines.size(), 2u);
    lines.erase(lines.begin());
    write_lines(dir / "audit.digest", lines);
    expect_detected(*plain_, dir, false, "modified");
  }
}

// Events as Elasticsearch hands them back: parsed documents, keys reordered, in any order.
TEST_F(Integrity, EventsBackFromElasticsearchStillVerify) {
  Daemon& d = *keyed_;
  const fs::path docs = d.dir() / "es-docs.jsonl";
  const std::string shuffle =
      "import json, random, sys, glob\n"
      "random.seed(7)\n"
      "def mix(v):\n"
      "    if isinstance(v, dict):\n"
      "        items = list(v.items()); random.shuffle(items); return {k: mix(x) for k, x in items}\n"
      "    return [mix(x) for x in v] if isinstance(v, list) else v\n"
      "docs = [mix(json.loads(l)) for f in sorted(glob.glob(sys.argv[1] + '/audit-*.jsonl')) for l in open(f)]\n"
      "random.shuffle(docs)\n"
      "open(sys.argv[2], 'w').write(''.join(json.dumps(x, indent=None) + '\\n' for x in docs))\n";
  std::ofstream(d.dir() / "shuffle.py") << shuffle;
  auto r = run_command("python3 " + (d.dir() / "shuffle.py").string() + " " + d.output().string() + " " + docs.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string with_digest = " --documents " + docs.string() + " --digest " + (d.output() / "audit.digest").string();
  Verdict v = trailctl_verify(d.output(), d.dir() / "keys", true, with_digest);
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_NE(v.output.find("OK: 124 events"), std::string::npos) << v.output;
  Verdict p = python_verify(d.output(), d.dir() / "keys", true, " --documents " + docs.string());
  EXPECT_EQ(p.exit_code, 0) << p.output;
  // One value changed in Elasticsearch is found.
  r = run_command("sed -i '0,/\"u17\"/s//\"u71\"/' " + docs.string());
  ASSERT_EQ(r.exit_code, 0);
  v = trailctl_verify(d.output(), d.dir() / "keys", true, with_digest);
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_NE(v.output.find("FAILED: modified:"), std::string::npos) << v.output;
  p = python_verify(d.output(), d.dir() / "keys", true, " --documents " + docs.string());
  EXPECT_EQ(p.exit_code, 1) << p.output;
}

TEST(IntegrityKeys, KeyFilesReadableByOthersOrOfTheWrongKindAreRefused) {
  Daemon d("integrity-keys");
  const fs::path keys = d.dir() / "keys";
  make_keys(keys);
  auto check = [&](const std::string& yaml) {
    d.write_config("", yaml);
    return run_command(std::string(TRAILD_BIN) + " --check-config --config " + d.config().string() + " 2>&1");
  };
  auto r = check("integrity:\n  key_file: " + (keys / "hmac.key").string() + "\n  signing_key: " +
                 (keys / "signing.pem").string() + "\n");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  fs::permissions(keys / "hmac.key", fs::perms::group_read, fs::perm_options::add);
  r = check("integrity:\n  key_file: " + (keys / "hmac.key").string() + "\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("integrity.key_file"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("readable by group or others"), std::string::npos) << r.output;
  fs::permissions(keys / "signing.pem", fs::perms::others_read, fs::perm_options::add);
  r = check("integrity:\n  signing_key: " + (keys / "signing.pem").string() + "\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("integrity.signing_key"), std::string::npos) << r.output;
  // A public key (or anything but an Ed25519 private key) cannot sign.
  fs::copy_file(keys / "public.pem", keys / "not-private.pem");
  fs::permissions(keys / "not-private.pem", fs::perms::owner_read | fs::perms::owner_write);
  r = check("integrity:\n  signing_key: " + (keys / "not-private.pem").string() + "\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("not a PEM private key"), std::string::npos) << r.output;
}

// Restarts (clean and kill -9), rotations and retention deletions keep the trail verifiable;
// retention's gap is explained by the digest.
TEST(IntegrityLifecycle, RestartsRotationAndRetentionKeepTheTrailVerifiable) {
  // Retention keeps the files holding the last output.dedup_window events (about 600 KiB).
  const std::string output = "  rotate: {max_size: 8KiB, interval: 1d}\n"
                             "  retention: {max_age: 90d, max_total_size: 768KiB, min_free: 0}\n"
                             "  dedup_window: 1024\n";
  Daemon d("integrity-life", output);
  make_keys(d.dir() / "keys");
  d.write_config(output, integrity_yaml(d.dir() / "keys", true));
  d.start();
  send_events(d, "one", 800);
  d.kill9();
  d.start();
  send_events(d, "two", 400);
  d.signal(SIGHUP);  // a reload keeps the chain going
  ASSERT_TRUE(wait_until([&] { return count_action(d.lines(), "traild-reload") == 1; })) << d.log();
  send_events(d, "two-after-reload", 400);
  ASSERT_EQ(d.stop(), 0);
  d.start();
  send_events(d, "three", 800);
  ASSERT_EQ(d.stop(), 0);
  size_t deletions = 0;
  for (const auto& l : d.lines()) deletions += l.find("\"traild-retention-delete\"") != std::string::npos;
  ASSERT_GT(deletions, 0u) << "retention should have deleted files";
  const Verdict v = trailctl_verify(d.output(), d.dir() / "keys", true);
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_NE(v.output.find("gap explained by retention"), std::string::npos) << v.output;
  const Verdict p = python_verify(d.output(), d.dir() / "keys", true);
  EXPECT_EQ(p.exit_code, 0) << p.output;
  // --from starts further on: fewer events, the same verdict.
  std::smatch range;
  ASSERT_TRUE(std::regex_search(v.output, range, std::regex(R"(OK: \d+ events, sequences (\d+)-(\d+))"))) << v.output;
  const std::string middle = std::to_string((std::stoull(range[1]) + std::stoull(range[2])) / 2);
  const Verdict from = trailctl_verify(d.output(), d.dir() / "keys", true, " --from " + middle);
  EXPECT_EQ(from.exit_code, 0) << from.output;
  EXPECT_NE(from.output.find("sequences " + middle + "-" + std::string(range[2])), std::string::npos) << from.output;
}

// A trail cut while traild was down is reported by traild itself when it starts.
TEST(IntegrityLifecycle, TrailCutWhileStoppedIsReportedAtStart) {
  Daemon d("integrity-cut");
  make_keys(d.dir() / "keys");
  d.write_config("", integrity_yaml(d.dir() / "keys", false));
  d.start();
  send_events(d, "before", 20);
  ASSERT_EQ(d.stop(), 0);
  const fs::path f = d.files().back();
  fs::resize_file(f, fs::file_size(f) / 2);
  d.start();
  ASSERT_TRUE(wait_until([&] { return count_action(d.lines(), "traild-integrity-alert") == 1; })) << d.log();
  EXPECT_NE(d.log().find("ends before the last checkpoint"), std::string::npos) << d.log();
}

// The chain resumes from the newest line's hash: one edited into something else than a hash
// must not be copied into the next line as one. traild goes on and verify names the break.
TEST(IntegrityLifecycle, AnEditedHashOnTheNewestLineIsNotCarriedOn) {
  Daemon d("integrity-bad-head");
  make_keys(d.dir() / "keys");
  d.write_config("", integrity_yaml(d.dir() / "keys", false));
  d.start();
  send_events(d, "before", 5);
  ASSERT_EQ(d.stop(), 0);
  const fs::path f = d.files().back();
  std::ifstream in(f);
  std::stringstream text;
  text << in.rdbuf();
  in.close();
  std::string content = text.str();
  const size_t last_line = content.rfind('\n', content.size() - 2) + 1;
  const size_t hash = content.find("\"hash\":\"", last_line);
  ASSERT_NE(hash, std::string::npos) << content;
  content.replace(hash + 8, 64, "abc");
  std::ofstream(f, std::ios::trunc) << content;
  d.start();
  send_events(d, "after", 5);
  ASSERT_EQ(d.stop(), 0) << d.log();
  EXPECT_NE(d.log().find("is not a SHA-256"), std::string::npos) << d.log();
  const Verdict v = trailctl_verify(d.output(), d.dir() / "keys", false);
  EXPECT_EQ(v.exit_code, 1) << v.output;
}

// A trail verify cannot read never passes for an empty one: a mistyped or missing DIR, a
// file, and (as an unprivileged user, when the suite runs as root) a digest or trail file it
// may not open. Before, each of these printed "OK: 0 events" and exited 0.
TEST(IntegrityReading, WhatCannotBeReadFailsInsteadOfVerifyingAsEmpty) {
  const std::string verify = std::string(TRAILCTL_BIN) + " verify ";
  Daemon d("integrity-unreadable");
  auto missing = run_command(verify + (d.dir() / "nope").string());
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("cannot read " + (d.dir() / "nope").string() + ": No such file or directory"),
            std::string::npos)
      << missing.output;
  EXPECT_EQ(missing.output.find("OK"), std::string::npos) << missing.output;
  std::ofstream(d.dir() / "a-file") << "x\n";
  auto file = run_command(verify + (d.dir() / "a-file").string());
  EXPECT_EQ(file.exit_code, 1) << file.output;
  EXPECT_NE(file.output.find("Not a directory"), std::string::npos) << file.output;

  if (::geteuid() != 0) GTEST_SKIP() << "the permission cases need root, to run trailctl as nobody";
  d.start();
  send_events(d, "readable", 5);
  ASSERT_EQ(d.stop(), 0);
  // A copy of the trail that "nobody" may list and read, but for the file under test.
  const fs::path trail = d.dir() / "for-nobody";
  fs::copy(d.output(), trail, fs::copy_options::recursive);
  const auto everyone = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                        fs::perms::others_read | fs::perms::others_exec;
  for (const auto& f : fs::directory_iterator(trail)) fs::permissions(f.path(), everyone, fs::perm_options::add);
  for (fs::path p = trail;; p = p.parent_path()) {  // the test's own directories only
    fs::permissions(p, everyone, fs::perm_options::add);
    if (p == d.dir()) break;
  }
  const std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  const auto reach = run_command(as_nobody + "test -x " + TRAILCTL_BIN + " -a -x " + d.dir().string());
  if (reach.exit_code != 0) GTEST_SKIP() << "nobody cannot reach trailctl or " << d.dir() << " here";
  auto readable = run_command(as_nobody + verify + trail.string());
  ASSERT_EQ(readable.exit_code, 0) << readable.output;
  ASSERT_NE(readable.output.find("OK: 7 events"), std::string::npos) << readable.output;  // with start and stop

  fs::permissions(trail / "audit.digest", fs::perms::owner_read | fs::perms::owner_write);
  auto digest = run_command(as_nobody + verify + trail.string());
  EXPECT_EQ(digest.exit_code, 1) << digest.output;
  EXPECT_NE(digest.output.find("FAILED: unreadable: audit.digest: cannot read it: Permission denied"), std::string::npos)
      << digest.output;
  fs::permissions(trail / "audit.digest", everyone, fs::perm_options::add);
  const std::string line_file = d.files().back().filename().string();
  fs::permissions(trail / line_file, fs::perms::owner_read | fs::perms::owner_write);
  auto lines = run_command(as_nobody + verify + trail.string());
  EXPECT_EQ(lines.exit_code, 1) << lines.output;
  EXPECT_NE(lines.output.find("FAILED: unreadable: " + line_file + ": cannot read it: Permission denied"),
            std::string::npos)
      << lines.output;
  // query answers what it can read, names what it cannot, and exits 1.
  auto query = run_command(as_nobody + TRAILCTL_BIN + " query --all " + trail.string());
  EXPECT_EQ(query.exit_code, 1) << query.output;
  EXPECT_NE(query.output.find("cannot read " + (trail / line_file).string() + ": Permission denied"), std::string::npos)
      << query.output;
}

}  // namespace
}  // namespace traild::test
