#include "integrity/digest.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <utility>

#include "common/clock.hpp"
#include "common/json_escape.hpp"
#include "integrity/chain.hpp"

namespace traild {
namespace {

// Key and JSON text of each member; written sorted by key, as canonical JSON is.
using Members = std::vector<std::pair<std::string_view, std::string>>;

std::string json_text(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string number(uint64_t v) {
  std::string out;
  append_uint(out, v);
  return out;
}

std::string join_sorted(Members members) {
  std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "{";
  for (const auto& [key, value] : members) {
    if (out.size() > 1) out.push_back(',');
    append_json_string(out, key);
    out.push_back(':');
    out.append(value);
  }
  out.push_back('}');
  return out;
}

// Reads up to `max` bytes of `fd` at `offset`.
std::string read_at(int fd, uint64_t offset, size_t max) {
  std::string buf(max, '\0');
  size_t got = 0;
  while (got < max) {
    const ssize_t n = ::pread(fd, buf.data() + got, max - got, static_cast<off_t>(offset + got));
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  buf.resize(got);
  return buf;
}

bool chain_of(simdjson::dom::parser& parser, std::string_view line, uint64_t& sequence, std::string_view& hash) {
  simdjson::dom::element doc;
  return !parser.parse(line.data(), line.size()).get(doc) &&
         !doc.at_pointer("/traild/chain/sequence").get_uint64().get(sequence) &&
         !doc.at_pointer("/traild/chain/hash").get_string().get(hash);
}

}  // namespace

std::string digest_path(const std::string& directory, std::string_view prefix) {
  return directory + "/" + std::string(prefix) + ".digest";
}

FileChainRange read_file_chain_range(const std::string& path) {
  FileChainRange range;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return range;
  struct stat st {};
  ::fstat(fd, &st);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  constexpr size_t kWindow = 4 << 20;  // more than any line (output.rotate.max_size >= a line)
  const std::string head = read_at(fd, 0, static_cast<size_t>(std::min<uint64_t>(size, kWindow)));
  const uint64_t tail_at = size > kWindow ? size - kWindow : 0;
  const std::string tail = read_at(fd, tail_at, static_cast<size_t>(size - tail_at));
  ::close(fd);
  simdjson::dom::parser parser;
  std::string_view hash;
  const size_t first_end = head.find('\n');
  if (first_end == std::string::npos || !chain_of(parser, std::string_view(head).substr(0, first_end),
                                                  range.first_sequence, hash))
    return range;
  const size_t last_end = tail.rfind('\n');
  const size_t last_start = tail.rfind('\n', last_end == 0 ? std::string::npos : last_end - 1);
  const std::string_view last =
      std::string_view(tail).substr(last_start == std::string::npos || last_end == 0 ? 0 : last_start + 1,
                                    last_end - (last_start == std::string::npos || last_end == 0 ? 0 : last_start + 1));
  if (!chain_of(parser, last, range.last_sequence, hash)) return range;
  range.last_hash.assign(hash);
  range.known = true;
  return range;
}

std::vector<DigestRecord> read_digest(const std::string& path, std::string& error) {
  std::vector<DigestRecord> out;
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  simdjson::dom::parser parser;
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    if (end == std::string::npos) break;  // torn by a crash: never a signed record
    ++line_no;
    DigestRecord r;
    r.line = text.substr(pos, end - pos);
    pos = end + 1;
    simdjson::dom::object o;
    if (parser.parse(r.line).get_object().get(o)) {
      error = path + ":" + std::to_string(line_no) + ": not a digest record";
      return out;
    }
    auto str = [&](const char* key, std::string& into) {
      std::string_view v;
      if (!o[key].get_string().get(v)) into.assign(v);
    };
    auto num = [&](const char* key, uint64_t& into) {
      if (o[key].get_uint64().get(into) != simdjson::SUCCESS) into = 0;
    };
    str("type", r.type);
    str("file", r.file);
    str("hash", r.hash);
    str("last_hash", r.last_hash);
    str("reason", r.reason);
    str("time", r.time);
    str("prev", r.prev);
    str("key_id", r.key_id);
    str("signature", r.signature);
    num("sequence", r.sequence);
    num("offset", r.offset);
    num("first_sequence", r.first_sequence);
    num("last_sequence", r.last_sequence);
    r.signed_bytes = r.line;
    const size_t sig = r.signed_bytes.find(",\"signature\":\"");
    if (sig != std::string::npos) {
      const size_t close = r.signed_bytes.find('"', sig + 14);
      if (close != std::string::npos) r.signed_bytes.erase(sig, close + 1 - sig);
    }
    if (r.type != "checkpoint" && r.type != "deletion") {
      error = path + ":" + std::to_string(line_no) + ": unknown record type \"" + r.type + "\"";
      return out;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<DigestRecord> DigestWriter::open() {
  std::string error;
  std::vector<DigestRecord> records = read_digest(path_, error);
  prev_ = records.empty() ? std::string(kGenesisHash) : sha256_hex(records.back().line);
  // Cut a torn last record (it was never complete, so never relied on) so the next one
  // starts on its own line.
  struct stat st {};
  if (error.empty() && ::stat(path_.c_str(), &st) == 0) {
    uint64_t complete = 0;
    for (const auto& r : records) complete += r.line.size() + 1;
    if (static_cast<uint64_t>(st.st_size) > complete) (void)::truncate(path_.c_str(), static_cast<off_t>(complete));
  }
  return records;
}

int DigestWriter::checkpoint(const ChainHead& head, std::string_view reason, int64_t now_ms) {
  return append({{"type", json_text("checkpoint")},
                 {"file", json_text(head.file)},
                 {"hash", json_text(head.hash)},
                 {"offset", number(head.offset)},
                 {"sequence", number(head.sequence)},
                 {"reason", json_text(reason)}},
                now_ms);
}

int DigestWriter::deletion(std::string_view file, const FileChainRange& range, std::string_view reason,
                           int64_t now_ms) {
  Members m{{"type", json_text("deletion")}, {"file", json_text(file)}, {"reason", json_text(reason)}};
  if (range.known) {
    m.push_back({"first_sequence", number(range.first_sequence)});
    m.push_back({"last_sequence", number(range.last_sequence)});
    m.push_back({"last_hash", json_text(range.last_hash)});
  }
  return append(std::move(m), now_ms);
}

int DigestWriter::append(Members members, int64_t now_ms) {
  char ts[kRfc3339MsLength];
  format_rfc3339_ms(now_ms, ts);
  members.push_back({"prev", json_text(prev_)});
  members.push_back({"time", json_text(std::string_view(ts, kRfc3339MsLength))});
  if (signer_ != nullptr) members.push_back({"key_id", json_text(signer_->key_id())});
  std::string line = join_sorted(members);
  if (signer_ != nullptr) {
    members.push_back({"signature", json_text(signer_->sign_base64(line))});
    line = join_sorted(std::move(members));
  }
  const std::string hash = sha256_hex(line);
  line.push_back('\n');
  const int fd = fs_.open_append(path_, 0640, false);
  if (fd < 0) return fd;
  const ssize_t n = fs_.write(fd, line.data(), line.size());
  int r = n == static_cast<ssize_t>(line.size()) ? fs_.fdatasync(fd) : (n < 0 ? static_cast<int>(n) : -EIO);
  fs_.close(fd);
  if (r == 0) prev_ = hash;
  else open();  // cut what a failed write left, so the next record starts on its own line
  return r;
}

}  // namespace traild
