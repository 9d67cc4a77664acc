#include "json_text.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace approov_cli {

namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not a valid one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0Fu;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return len;
}

// Recursive-descent checker over the raw text. Keeps the first problem it sees; a syntax
// problem stops everything, the I-JSON problems are recorded and checking goes on.
class Checker {
 public:
  Checker(std::string_view text, std::string* out, std::vector<std::string>* top_names = nullptr)
      : s_(text), out_(out), top_names_(top_names) {}

  JsonCheck run() {
    skip_ws();
    if (!value(0)) return result_;
    skip_ws();
    if (pos_ != s_.size()) fail(JsonProblem::syntax, "unexpected text after the JSON value");
    return result_;
  }

 private:
  bool fail(JsonProblem problem, const char* detail) {
    // A hard failure replaces a softer one recorded earlier: "not JSON" matters most.
    const bool hard = problem == JsonProblem::syntax || problem == JsonProblem::too_deep;
    if (result_.problem == JsonProblem::none || hard) {
      result_.problem = problem;
      result_.offset = pos_;
      result_.detail = detail;
    }
    return !hard;
  }

  void skip_ws() {
    while (pos_ < s_.size() && is_ws(s_[pos_])) ++pos_;
  }

  void emit(std::string_view t) {
    if (out_ != nullptr) out_->append(t);
  }
  void newline(int depth) {
    if (out_ == nullptr) return;
    out_->push_back('\n');
    out_->append(static_cast<std::size_t>(depth) * 2, ' ');
  }

  bool value(int depth) {
    if (pos_ >= s_.size()) return fail(JsonProblem::syntax, "unexpected end of JSON");
    const char c = s_[pos_];
    if (c == '{') return object(depth + 1);
    if (c == '[') return array(depth + 1);
    if (c == '"') {
      std::string ignored;
      return string(ignored);
    }
    if (c == '-' || is_digit(c)) return number();
    for (std::string_view literal : {"true", "false", "null"}) {
      if (s_.substr(pos_, literal.size()) == literal) {
        emit(literal);
        pos_ += literal.size();
        return true;
      }
    }
    return fail(JsonProblem::syntax, "expected a JSON value");
  }

  bool object(int depth) {
    if (depth > kMaxJsonDepth) return fail(JsonProblem::too_deep, "nesting deeper than 32");
    ++pos_;
    emit("{");
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      emit("}");
      return true;
    }
    std::vector<std::string> names;
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') {
        return fail(JsonProblem::syntax, "expected a member name");
      }
      newline(depth);
      const std::size_t name_at = pos_;
      std::string name;
      if (!string(name)) return false;
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        const std::size_t here = pos_;
        pos_ = name_at;
        fail(JsonProblem::duplicate_member, "duplicate member name");
        pos_ = here;
      }
      if (depth == 1 && top_names_ != nullptr) top_names_->push_back(name);
      names.push_back(std::move(name));
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return fail(JsonProblem::syntax, "expected ':'");
      ++pos_;
      emit(out_ != nullptr ? ": " : "");
      skip_ws();
      if (!value(depth)) return false;
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        emit(",");
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        newline(depth - 1);
        emit("}");
        return true;
      }
      return fail(JsonProblem::syntax, "expected ',' or '}'");
    }
  }

  bool array(int depth) {
    if (depth > kMaxJsonDepth) return fail(JsonProblem::too_deep, "nesting deeper than 32");
    ++pos_;
    emit("[");
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      emit("]");
      return true;
    }
    for (;;) {
      skip_ws();
      newline(depth);
      if (!value(depth)) return false;
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        emit(",");
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        newline(depth - 1);
        emit("]");
        return true;
      }
      return fail(JsonProblem::syntax, "expected ',' or ']'");
    }
  }

  // Reads a string literal, emitting it verbatim and unescaping it into `text` (used to
  // compare member names after unescaping, as the verifier does).
  bool string(std::string& text) {
    const std::size_t start = pos_;
    ++pos_;
    for (;;) {
      if (pos_ >= s_.size()) return fail(JsonProblem::syntax, "unterminated string");
      const char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        emit(s_.substr(start, pos_ - start));
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return fail(JsonProblem::syntax, "control character in a string");
      }
      if (c != '\\') {
        const std::size_t len = utf8_sequence(s_, pos_);
        if (len == 0) return fail(JsonProblem::syntax, "invalid UTF-8");
        text.append(s_.substr(pos_, len));
        pos_ += len;
        continue;
      }
      if (pos_ + 1 >= s_.size()) return fail(JsonProblem::syntax, "unterminated string");
      const char e = s_[pos_ + 1];
      pos_ += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          text.push_back(e);
          continue;
        case 'b':
          text.push_back('\b');
          continue;
        case 'f':
          text.push_back('\f');
          continue;
        case 'n':
          text.push_back('\n');
          continue;
        case 'r':
          text.push_back('\r');
          continue;
        case 't':
          text.push_back('\t');
          continue;
        case 'u':
          break;
        default:
          return fail(JsonProblem::syntax, "invalid escape in a string");
      }
      std::uint32_t cp = 0;
      if (!hex4(cp)) return fail(JsonProblem::syntax, "invalid \\u escape");
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        std::uint32_t low = 0;
        if (s_.substr(pos_, 2) == "\\u") {
          pos_ += 2;
          if (!hex4(low)) return fail(JsonProblem::syntax, "invalid \\u escape");
        }
        if (low >= 0xDC00 && low <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else {
          fail(JsonProblem::lone_surrogate, "lone UTF-16 surrogate escape");
          cp = 0xFFFD;
        }
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        fail(JsonProblem::lone_surrogate, "lone UTF-16 surrogate escape");
        cp = 0xFFFD;
      }
      append_utf8(text, cp);
    }
  }

  bool hex4(std::uint32_t& cp) {
    if (pos_ + 4 > s_.size()) return false;
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      const int h = hex_value(s_[pos_++]);
      if (h < 0) return false;
      cp = (cp << 4) | static_cast<std::uint32_t>(h);
    }
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool number() {
    const std::size_t start = pos_;
    std::size_t end = start;
    if (!scan_number(s_, end)) return fail(JsonProblem::syntax, "invalid number");
    pos_ = end;
    emit(s_.substr(start, end - start));
    return true;
  }

 public:
  // Advances `i` over one JSON number in `s`; false if there is none at `i`.
  static bool scan_number(std::string_view s, std::size_t& i) {
    if (i < s.size() && s[i] == '-') ++i;
    if (i >= s.size()) return false;
    if (s[i] == '0') {
      ++i;
    } else if (is_digit(s[i])) {
      while (i < s.size() && is_digit(s[i])) ++i;
    } else {
      return false;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (i >= s.size() || !is_digit(s[i])) return false;
      while (i < s.size() && is_digit(s[i])) ++i;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      if (i >= s.size() || !is_digit(s[i])) return false;
      while (i < s.size() && is_digit(s[i])) ++i;
    }
    return true;
  }

 private:
  std::string_view s_;
  std::string* out_;
  std::vector<std::string>* top_names_;
  std::size_t pos_ = 0;
  JsonCheck result_;
};

}  // namespace

JsonCheck check_json(std::string_view text, std::string* pretty) {
  if (pretty != nullptr) pretty->clear();
  return Checker(text, pretty).run();
}

std::vector<std::string> json_member_names(std::string_view object_json) {
  std::vector<std::string> names;
  (void)Checker(object_json, nullptr, &names).run();
  return names;
}

bool is_valid_utf8(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = utf8_sequence(text, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string json_quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out += "\\u00";
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

bool is_json_number(std::string_view text) noexcept {
  std::size_t i = 0;
  return Checker::scan_number(text, i) && i == text.size();
}

}  // namespace approov_cli
