#include "ctl/query/query.hpp"

#include <openssl/evp.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>

#include "common/clock.hpp"
#include "common/mapped_file.hpp"
#include "reporters/range_index.hpp"

namespace traild::ctl {
namespace {

namespace fs = std::filesystem;

struct Match : SortKey {
  std::string line;
};

// Ascending order of keys (numbers before strings; ties by event.sequence, then event.id).
bool key_less(const SortKey& a, const SortKey& b) {
  if (a.rank != b.rank) return a.rank < b.rank;
  if (a.rank == 0 && a.number != b.number) return a.number < b.number;
  if (a.rank == 1 && a.text != b.text) return a.text < b.text;
  if (a.sequence != b.sequence) return a.sequence < b.sequence;
  return a.id < b.id;
}

void sort_key(simdjson::dom::element event, const std::string& field, SortKey& m) {
  if (auto v = field_at(event, field)) {
    double d;
    std::string_view s;
    if (!v->get_double().get(d)) {
      m.rank = 0;
      m.number = d;
    } else if (!v->get_string().get(s)) {
      m.rank = 1;
      // RFC 3339 times sort as times even when their zones differ.
      if (auto t = parse_rfc3339(s)) {
        m.rank = 0;
        m.number = static_cast<double>(t->seconds) * 1e3 + t->nanos / 1e6;
      } else {
        m.text = std::string(s);
      }
    }
  }
  uint64_t seq = 0;
  if (auto v = field_at(event, "event.sequence"); v && !v->get_uint64().get(seq)) m.sequence = seq;
  std::string_view id;
  if (auto v = field_at(event, "event.id"); v && !v->get_string().get(id)) m.id = std::string(id);
}

// Which files cannot hold events in the window, by the range index traild writes beside
// them (reporters/range_index.hpp). The newest file of each stream may still grow and a file
// without a record has no known range: both are always read.
class FilePruner {
 public:
  FilePruner(const std::vector<fs::path>& files, std::optional<int64_t> since, std::optional<int64_t> until)
      : since_(since), until_(until) {
    for (const auto& f : files) {
      const std::string dir = f.parent_path().string();
      if (!ranges_.count(dir)) ranges_[dir] = read_range_index(dir);
      std::string& newest = newest_[dir + "/" + stream_of(f.filename().string())];
      newest = std::max(newest, f.filename().string());
    }
  }

  // The @timestamp range of a closed file with a record; nullopt for the rest.
  std::optional<TimeRange> known_range(const fs::path& f) const {
    const std::string dir = f.parent_path().string(), name = f.filename().string();
    if (newest_.at(dir + "/" + stream_of(name)) == name) return std::nullopt;
    const auto& ranges = ranges_.at(dir);
    const auto it = ranges.find(name);
    if (it == ranges.end()) return std::nullopt;
    return it->second;
  }

  // Whether a file of this known range holds no event in the window.
  bool misses_window(const std::optional<TimeRange>& range) const {
    return range && ((since_ && range->last_ms < *since_) || (until_ && range->first_ms >= *until_));
  }

 private:
  // "audit-20261121T221529Z-00000001.jsonl" -> "audit": the name less its time and counter.
  static std::string stream_of(const std::string& name) {
    size_t cut = name.rfind('-');
    if (cut != std::string::npos && cut > 0) cut = name.rfind('-', cut - 1);
    return cut == std::string::npos ? name : name.substr(0, cut);
  }

  std::optional<int64_t> since_, until_;
  std::map<std::string, std::map<std::string, TimeRange>> ranges_;  // by directory
  std::map<std::string, std::string> newest_;                          // by directory/stream
};

std::vector<fs::path> trail_files(const std::string& dir, std::ostream& warnings) {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
  if (ec) {
    warnings << "trailctl query: cannot read " << dir << ": " << ec.message() << "\n";
    return files;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    // Regular files only, never through a symlink out of the trail.
    if (it->is_regular_file() && !it->is_symlink() && it->path().extension() == ".jsonl") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::string encode_cursor(const std::string& field, const SortKey& key) {
  char number[32];
  std::snprintf(number, sizeof number, "%.17g", key.number);
  // event.id never holds a control character (a producer's is validated), so '\n' separates.
  const std::string plain = "v2\n" + field + "\n" + std::to_string(key.rank) + "\n" + number + "\n" +
                            std::to_string(key.sequence) + "\n" + key.id + "\n" + key.text;
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  out.resize(static_cast<size_t>(n));
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;  // URL- and shell-safe
  return out;
}

std::optional<SortKey> decode_cursor(const std::string& field, const std::string& cursor) {
  std::string b64 = cursor;
  for (char& c : b64) c = c == '-' ? '+' : c == '_' ? '/' : c;
  if (b64.empty() || b64.size() % 4 != 0 || b64.size() > 4096) return std::nullopt;
  std::string plain(3 * b64.size() / 4 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(plain.data()),
                                reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0) return std::nullopt;
  plain.resize(static_cast<size_t>(n));
  while (!plain.empty() && plain.back() == '\0') plain.pop_back();  // base64 padding decodes to NULs
  std::vector<std::string> parts;
  size_t start = 0;
  // v1 (before event.id broke ties) has no id line.
  const int lines = plain.starts_with("v1\n") ? 5 : 6;
  for (int i = 0; i < lines; ++i) {
    const size_t nl = plain.find('\n', start);
    if (nl == std::string::npos) return std::nullopt;
    parts.push_back(plain.substr(start, nl - start));
    start = nl + 1;
  }
  if ((parts[0] != "v1" && parts[0] != "v2") || parts[1] != field) return std::nullopt;
  SortKey key;
  char* end = nullptr;
  key.rank = static_cast<int>(std::strtol(parts[2].c_str(), &end, 10));
  if (*end != '\0' || key.rank < 0 || key.rank > 2) return std::nullopt;
  key.number = std::strtod(parts[3].c_str(), &end);
  if (*end != '\0') return std::nullopt;
  key.sequence = std::strtoull(parts[4].c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  if (lines == 6) key.id = parts[5];
  key.text = plain.substr(start);
  return key;
}

QueryResult run_query(const QueryOptions& q, std::ostream& warnings) {
  QueryResult result;
  std::vector<Match> matches;
  simdjson::dom::parser parser;
  const auto files = trail_files(q.directory, warnings);
  const FilePruner pruner(files, q.since_ms, q.until_ms);
  // Events without the sort field come last in either order.
  auto ordered = [](bool ascending) {
    return [ascending](const Match& a, const Match& b) {
      if ((a.rank == 2) != (b.rank == 2)) return b.rank == 2;
      return ascending ? key_less(a, b) : key_less(b, a);
    };
  };
  const auto display_before = ordered(q.reverse);
  // The page is the events nearest a cursor (--after: the smallest keys above it; --before:
  // the largest below it), else the first in display order.
  const bool select_ascending = q.after ? true : q.before ? false : q.reverse;
  const auto select_before = ordered(select_ascending);
  // A page keeps only its offset+limit best matches (a heap whose top is the worst kept),
  // so memory does not grow with the trail; an export keeps every match.
  const size_t keep_at_most = q.limit ? q.offset + *q.limit : SIZE_MAX;
  auto keep = [&](Match&& m) {
    if (matches.size() < keep_at_most) {
      matches.push_back(std::move(m));
      if (q.limit) std::push_heap(matches.begin(), matches.end(), select_before);
    } else if (select_before(m, matches.front())) {
      std::pop_heap(matches.begin(), matches.end(), select_before);
      matches.back() = std::move(m);
      std::push_heap(matches.begin(), matches.end(), select_before);
    }
  };
  // A line lacking a filter's required text cannot match: skip it before parsing (what
  // makes selective queries fast; see Filter::required_text).
  std::vector<std::string> needles;
  for (const auto& f : q.filters)
    if (std::string t = f.required_text(); !t.empty()) needles.push_back(std::move(t));
  // Sorted by @timestamp with a page to fill, the files are read in the order of their
  // ranges, best first, and reading stops at the first file that cannot hold an event better
  // than the worst one kept: the first page of a large trail reads its newest files only.
  struct Candidate {
    fs::path path;
    std::optional<TimeRange> range;
  };
  std::vector<Candidate> todo;
  for (const auto& path : files) {
    auto range = pruner.known_range(path);
    if (pruner.misses_window(range))
      ++result.files_pruned;
    else
      todo.push_back({path, std::move(range)});
  }
  const bool by_time = q.limit && q.sort_field == "@timestamp";
  const bool newest_wanted = !select_ascending;
  if (by_time) {
    std::stable_sort(todo.begin(), todo.end(), [&](const Candidate& a, const Candidate& b) {
      if (a.range.has_value() != b.range.has_value()) return !a.range;  // unknown ranges first
      if (!a.range) return false;
      return newest_wanted ? a.range->last_ms > b.range->last_ms : a.range->first_ms < b.range->first_ms;
    });
  }
  auto cannot_improve = [&](const TimeRange& range) {
    if (matches.size() < keep_at_most || matches.front().rank != 0) return false;
    const double worst = matches.front().number;
    // Ties on the time are broken by sequence, so a file reaching the worst kept time is read.
    return newest_wanted ? static_cast<double>(range.last_ms) + 1 <= worst : static_cast<double>(range.first_ms) > worst;
  };
  // traild writes @timestamp first ({"@timestamp":"...",): a line outside the window is
  // skipped by that prefix, unparsed. Other lines are judged after parsing, below.
  auto outside_window = [&](std::string_view line) {
    static constexpr std::string_view kPrefix = "{\"@timestamp\":\"";
    if ((!q.since_ms && !q.until_ms) || line.substr(0, kPrefix.size()) != kPrefix) return false;
    const size_t end = line.find('"', kPrefix.size());
    if (end == std::string_view::npos) return false;
    const auto ms = parse_rfc3339_ms(line.substr(kPrefix.size(), end - kPrefix.size()));
    return ms && ((q.since_ms && *ms < *q.since_ms) || (q.until_ms && *ms >= *q.until_ms));
  };
  for (size_t i = 0; i < todo.size(); ++i) {
    const fs::path& path = todo[i].path;
    if (by_time && todo[i].range && cannot_improve(*todo[i].range)) {
      result.files_pruned += todo.size() - i;
      result.complete = false;
      break;
    }
    const MappedFile file(path.string());
    if (!file.ok()) {
      warnings << "trailctl query: cannot read " << path.string() << ": " << std::strerror(file.errno_value()) << "\n";
      result.files_unreadable += file.errno_value() != ENOENT;  // ENOENT: deleted by retention since listed
      continue;
    }
    const std::string_view text = file.view();
    ++result.files_read;
    // Line numbers are only needed to report a skipped line: counted then, from the last one.
    size_t counted_to = 0, counted_lines = 0;
    auto line_number = [&](size_t at) {
      counted_lines += static_cast<size_t>(std::count(text.data() + counted_to, text.data() + at, '\n'));
      counted_to = at;
      return counted_lines + 1;
    };
    size_t pos = 0;
    while (pos < text.size()) {
      if (!needles.empty()) {
        // Jump to the line holding the next occurrence of the first required text: lines
        // without it cannot match and are not looked at.
        const void* hit = ::memmem(text.data() + pos, text.size() - pos, needles[0].data(), needles[0].size());
        const size_t at = hit ? static_cast<size_t>(static_cast<const char*>(hit) - text.data()) : text.size();
        const void* nl_before = at > pos ? ::memrchr(text.data() + pos, '\n', at - pos) : nullptr;
        const size_t start = nl_before ? static_cast<size_t>(static_cast<const char*>(nl_before) - text.data()) + 1 : pos;
        pos = start;
        if (!hit && text.back() == '\n') break;  // no candidate left, and no torn end to report
        if (!hit) pos = text.rfind('\n') == std::string_view::npos ? 0 : text.rfind('\n') + 1;
      }
      const size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) {
        ++result.skipped_lines;
        warnings << path.string() << ":" << line_number(pos) << ": skipped: incomplete last line (being written, or torn)\n";
        break;
      }
      const std::string_view line(text.data() + pos, nl - pos);
      const size_t line_start = pos;
      pos = nl + 1;
      bool candidate = true;
      for (const auto& n : needles)
        candidate = candidate && ::memmem(line.data(), line.size(), n.data(), n.size()) != nullptr;
      if (!candidate) continue;
      if (outside_window(line)) continue;
      simdjson::dom::element event;
      if (parser.parse(line.data(), line.size(), true).get(event) || !event.is_object()) {
        ++result.skipped_lines;
        warnings << path.string() << ":" << line_number(line_start) << ": skipped: not a JSON object\n";
        continue;
      }
      if (q.since_ms || q.until_ms) {
        std::string_view ts;
        std::optional<int64_t> ms;
        if (!event["@timestamp"].get_string().get(ts)) ms = parse_rfc3339_ms(ts);
        if (!ms || (q.since_ms && *ms < *q.since_ms) || (q.until_ms && *ms >= *q.until_ms)) continue;
      }
      bool pass = true;
      for (const auto& f : q.filters) pass = pass && f.matches(event);
      if (!pass) continue;
      Match m;
      sort_key(event, q.sort_field, m);
      if ((q.after && !key_less(*q.after, m)) || (q.before && !key_less(m, *q.before))) continue;
      m.line.assign(line);
      ++result.matched;
      keep(std::move(m));
    }
  }
  if (q.offset >= matches.size()) return result;
  // Best first under select_before, then the page in display order.
  std::sort(matches.begin(), matches.end(), select_before);
  const size_t end = q.limit ? std::min(matches.size(), q.offset + *q.limit) : matches.size();
  std::sort(matches.begin() + static_cast<ptrdiff_t>(q.offset), matches.begin() + static_cast<ptrdiff_t>(end),
            display_before);
  const SortKey* lowest = nullptr;
  const SortKey* highest = nullptr;
  for (size_t i = q.offset; i < end; ++i) {
    if (!lowest || key_less(matches[i], *lowest)) lowest = &matches[i];
    if (!highest || key_less(*highest, matches[i])) highest = &matches[i];
  }
  if (highest) result.next = encode_cursor(q.sort_field, *highest);
  if (lowest) result.prev = encode_cursor(q.sort_field, *lowest);
  for (size_t i = q.offset; i < end; ++i) result.events.push_back(std::move(matches[i].line));
  return result;
}

}  // namespace traild::ctl
