// Python literal -> JSON, for the reprs the Salt client prints. Only the literal subset a
// repr of JSON-like data uses is accepted; anything else (calls, names) is an error.
#include <cstdint>

#include "common/json_escape.hpp"
#include "ctl/import_reader.hpp"

namespace traild::ctl {
namespace {

constexpr int kMaxDepth = 64;

class Converter {
 public:
  Converter(std::string_view text, size_t pos, std::string& out) : s_(text), pos_(pos), out_(out) {}

  bool value(int depth) {
    skip();
    if (depth > kMaxDepth) return fail("nested too deeply");
    if (pos_ >= s_.size()) return fail("unexpected end of text");
    const char c = s_[pos_];
    if (c == '{') return sequence('}', depth, true);
    if (c == '[') return sequence(']', depth, false);
    if (c == '(') return sequence(')', depth, false);
    if (c == '\'' || c == '"') return string();
    if (c == '-' || c == '+' || (c >= '0' && c <= '9')) return number();
    for (auto [word, json] : {std::pair{"True", "true"}, {"False", "false"}, {"None", "null"}}) {
      std::string_view w(word);
      if (s_.substr(pos_, w.size()) == w && !ident(pos_ + w.size())) {
        pos_ += w.size();
        out_.append(json);
        return true;
      }
    }
    return fail("not a Python literal");
  }

  size_t pos() const { return pos_; }
  const std::string& error() const { return error_; }

 private:
  bool ident(size_t i) const {
    if (i >= s_.size()) return false;
    const char c = s_[i];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  void skip() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }

  bool fail(std::string why) {
    error_ = why + " at offset " + std::to_string(pos_);
    return false;
  }

  // dict, list or tuple; a trailing comma is allowed as in Python.
  bool sequence(char close, int depth, bool dict) {
    ++pos_;
    out_.push_back(dict ? '{' : '[');
    bool first = true;
    while (true) {
      skip();
      if (pos_ < s_.size() && s_[pos_] == close) {
        ++pos_;
        out_.push_back(dict ? '}' : ']');
        return true;
      }
      if (!first) {
        if (pos_ >= s_.size() || s_[pos_] != ',') return fail(std::string("expected ',' or '") + close + "'");
        ++pos_;
        skip();
        if (pos_ < s_.size() && s_[pos_] == close) continue;  // trailing comma
        out_.push_back(',');
      }
      first = false;
      if (dict) {
        skip();
        if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return fail("dict keys must be strings");
        if (!string()) return false;
        skip();
        if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
        ++pos_;
        out_.push_back(':');
      }
      if (!value(depth + 1)) return false;
    }
  }

  bool number() {
    const size_t start = pos_;
    if (s_[pos_] == '-' || s_[pos_] == '+') ++pos_;
    while (pos_ < s_.size() && ((s_[pos_] >= '0' && s_[pos_] <= '9') || s_[pos_] == '.' || s_[pos_] == 'e' ||
                                s_[pos_] == 'E' || s_[pos_] == '-' || s_[pos_] == '+' || s_[pos_] == '_'))
      ++pos_;
    std::string n;
    for (char c : s_.substr(start, pos_ - start))
      if (c != '_' && !(c == '+' && n.empty())) n.push_back(c);
    if (n.empty() || n == "-") return fail("malformed number");
    if (n.back() == '.') n.push_back('0');  // "1." is a float in Python, not JSON
    out_.append(n);
    return true;
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  static void put_utf8(std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool string() {
    const char quote = s_[pos_++];
    std::string value;
    while (true) {
      if (pos_ >= s_.size()) return fail("unterminated string");
      char c = s_[pos_++];
      if (c == quote) break;
      if (c == '\n') return fail("newline in a string");
      if (c != '\\') {
        value.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return fail("unterminated string");
      c = s_[pos_++];
      int digits = 0;
      switch (c) {
        case 'n': value.push_back('\n'); break;
        case 't': value.push_back('\t'); break;
        case 'r': value.push_back('\r'); break;
        case '0': value.push_back('\0'); break;
        case '\\': case '\'': case '"': value.push_back(c); break;
        case 'x': digits = 2; break;
        case 'u': digits = 4; break;
        case 'U': digits = 8; break;
        default: value.push_back('\\'); value.push_back(c); break;  // Python keeps unknown escapes
      }
      if (digits == 0) continue;
      uint32_t cp = 0;
      for (int i = 0; i < digits; ++i) {
        if (pos_ >= s_.size() || hex(s_[pos_]) < 0) return fail("bad escape in a string");
        cp = cp * 16 + static_cast<uint32_t>(hex(s_[pos_++]));
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return fail("escape is not a Unicode scalar value");
      put_utf8(value, cp);
    }
    append_json_string(out_, value);
    return true;
  }

  std::string_view s_;
  size_t pos_;
  std::string& out_;
  std::string error_;
};

}  // namespace

bool python_literal_to_json(std::string_view text, size_t& pos, std::string& out, std::string& error) {
  Converter c(text, pos, out);
  if (!c.value(0)) {
    error = "not a Python literal: " + c.error();
    return false;
  }
  pos = c.pos();
  return true;
}

}  // namespace traild::ctl
