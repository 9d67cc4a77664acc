// Fuzz target for the project's JSON reader (src/internal/json.hpp), called directly. Checks,
// besides the absence of crashes and sanitizer reports:
//  - events: every begin/name/value event lies inside the input and points at what it
//    reports ('{' or '[' for begin, the quote of a string, the first byte of a scalar); depths
//    nest (a name or scalar one level inside the open container, a container's value event at
//    its begin depth, with its begin offset and the whole bracketed text); a successful parse
//    closes every container and ends with the top-level value;
//  - member views: unescaping a name or string gives exactly what a reference unescaper
//    written here gives, a text that string_equals() matches, never longer than the raw text;
//  - what the reader accepts keeps its own rules, checked here independently: nesting of at
//    most 32, no name twice in an object after unescaping, and every unescaped string valid
//    UTF-8 without noncharacters or surrogates (lenient: valid WTF-8, a lone surrogate kept as
//    its own three bytes);
//  - the parse is deterministic, and `parse` (the hot path) and `parse_large` agree;
//  - strict and lenient mode agree: on RFC 8259 errors both fail at the same place; on an
//    I-JSON breach the lenient reader reports the strict one's problem and offset as its
//    warning; on valid text neither complains;
//  - (with simdjson) both directions against simdjson's DOM parser: whatever we accept,
//    simdjson accepts (bar numbers it cannot represent: a number error is excused only when
//    the text holds an integer beyond 64 bits or a value beyond double range); whatever
//    simdjson accepts and we refuse is explained by one of our documented extra rules (a
//    duplicate name, nesting over 32, a noncharacter, a lone surrogate, a top-level value
//    that is not an object).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "internal/json.hpp"

#ifdef APPROOV_FUZZ_SIMDJSON
#include <simdjson.h>
#endif

namespace {

namespace json = approov::json;
using json::Problem;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz_json: invariant broken: %s\n", what);
  std::abort();
}

bool inside(std::string_view text, std::string_view part) {
  return part.data() >= text.data() && part.data() + part.size() <= text.data() + text.size();
}

// An unescaped string, checked here from scratch: 0 if valid UTF-8 without noncharacters (so
// no surrogate, paired or not, survived unescaping: the I-JSON rules), 1 if it breaks only
// those rules (a noncharacter, or a surrogate in its three-byte form: valid WTF-8, what the
// lenient reader may give), 2 if it is not even that.
int string_class(std::string_view s) {
  int worst = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp;
    std::size_t n;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      cp = c & 0x1Fu;
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      cp = c & 0x0Fu;
      n = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      cp = c & 0x07u;
      n = 4;
    } else {
      return 2;
    }
    if (i + n > s.size()) return 2;
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return 2;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    const std::uint32_t min = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF) return 2;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
        (cp & 0xFFFE) == 0xFFFE) {
      worst = 1;
    }
    i += n;
  }
  return worst;
}

// The unescaping rules of RFC 8259 written out here, as the reference for json::unescape: a
// high surrogate escape pairs with a low one that follows at once; any other surrogate is
// kept alone, in its three-byte form (what the lenient reader lets through).
std::string reference_unescape(std::string_view raw) {
  const auto hex4 = [&raw](std::size_t at) -> long {
    if (at + 4 > raw.size()) return -1;
    long v = 0;
    for (std::size_t i = at; i < at + 4; ++i) {
      const char c = raw[i];
      const int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  };
  std::string out;
  for (std::size_t i = 0; i < raw.size();) {
    if (raw[i] != '\\') {
      out += raw[i++];
      continue;
    }
    const char e = raw[i + 1];
    i += 2;
    if (e != 'u') {
      out += e == 'b'   ? '\b'
             : e == 'f' ? '\f'
             : e == 'n' ? '\n'
             : e == 'r' ? '\r'
             : e == 't' ? '\t'
                        : e;
      continue;
    }
    std::uint32_t cp = static_cast<std::uint32_t>(hex4(i));
    i += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < raw.size() && raw[i] == '\\' && raw[i + 1] == 'u') {
      const long low = hex4(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(low) - 0xDC00);
        i += 6;
      }
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

// Checks a string's raw view against its unescaped form, which it returns.
std::string check_string(std::string_view raw, bool escaped) {
  static char plain[json::kMaxText * 2];
  if (raw.size() > sizeof plain) return std::string(raw);
  const std::size_t n = json::unescape(raw, plain);
  require(n <= raw.size(), "unescape never grows");
  require(escaped || std::string_view(plain, n) == raw, "plain string unchanged");
  require(escaped == (raw.find('\\') != std::string_view::npos), "escaped flag");
  require(json::string_equals(raw, escaped, std::string_view(plain, n)),
          "string equals its unescaped form");
  require(std::string_view(plain, n) == reference_unescape(raw), "unescape as the reference");
  return std::string(plain, n);
}

// Follows the events with a stack of open containers and checks each against the text.
struct Events {
  explicit Events(std::string_view t) : text(t) {}
  std::string_view text;
  struct Open {
    json::Type type;
    std::size_t offset;
    bool expect_value;              // objects: a name was reported, its value is next
    std::set<std::string> names{};  // objects: the names so far, unescaped
  };
  // What the text holds, for the checks of an accepted text: the deepest nesting, a repeated
  // name, a string breaking the I-JSON rules, the number texts.
  std::size_t max_depth = 0;
  bool duplicate = false;
  int worst_string = 0;  // string_class() of the worst string
  std::vector<std::string_view> numbers;
  std::vector<Open> open;
  std::size_t count = 0;
  bool top_level_done = false;
  json::Type top_type = json::Type::null;
  std::size_t top_offset = 0;

  bool begin(json::Type type, std::size_t depth, std::size_t offset) {
    require(type == json::Type::object || type == json::Type::array, "begin type");
    require(offset < text.size(), "begin offset inside");
    require(text[offset] == (type == json::Type::object ? '{' : '['), "begin at its bracket");
    require(depth == open.size(), "begin depth");
    require(!top_level_done, "nothing after the top-level value");
    if (!open.empty() && open.back().type == json::Type::object) {
      require(open.back().expect_value, "object member value follows its name");
    }
    open.push_back({type, offset, false});
    max_depth = std::max(max_depth, open.size());
    ++count;
    return true;
  }
  bool name(const json::Value& n, std::size_t depth) {
    require(!open.empty() && open.back().type == json::Type::object, "name inside an object");
    require(depth == open.size(), "name depth");
    require(!open.back().expect_value, "two names in a row");
    require(n.type == json::Type::string, "name is a string");
    require(inside(text, n.raw), "name inside input");
    require(n.offset < text.size() && text[n.offset] == '"', "name offset at its quote");
    require(n.raw.data() == text.data() + n.offset + 1, "name raw after its quote");
    require(n.raw.data() + n.raw.size() < text.data() + text.size() &&
                n.raw.data()[n.raw.size()] == '"',
            "name raw ends at its quote");
    const std::string plain = check_string(n.raw, n.escaped);
    worst_string = std::max(worst_string, string_class(plain));
    duplicate = duplicate || !open.back().names.insert(plain).second;
    open.back().expect_value = true;
    ++count;
    return true;
  }
  bool value(const json::Value& v, std::size_t depth) {
    require(inside(text, v.raw), "value inside input");
    require(v.offset < text.size(), "value offset inside");
    const bool container = v.type == json::Type::object || v.type == json::Type::array;
    if (container) {
      require(!open.empty(), "container value closes an open container");
      require(open.back().type == v.type, "container value type");
      require(open.back().offset == v.offset, "container value offset is its begin offset");
      require(depth + 1 == open.size(), "container value depth");
      require(v.raw.data() == text.data() + v.offset, "container raw starts at its bracket");
      require(v.raw.size() >= 2 && v.raw.back() == (v.type == json::Type::object ? '}' : ']'),
              "container raw ends at its bracket");
      require(!open.back().expect_value, "object closed after a name");
      open.pop_back();
    } else {
      require(depth == open.size(), "scalar depth");
      if (v.type == json::Type::string) {
        require(text[v.offset] == '"', "string offset at its quote");
        require(v.raw.data() == text.data() + v.offset + 1, "string raw after its quote");
        require(v.raw.data() + v.raw.size() < text.data() + text.size() &&
                    v.raw.data()[v.raw.size()] == '"',
                "string raw ends at its quote");
        worst_string = std::max(worst_string, string_class(check_string(v.raw, v.escaped)));
      } else {
        require(v.raw.data() == text.data() + v.offset, "scalar raw at its offset");
        require(!v.raw.empty(), "scalar not empty");
        switch (v.type) {
          case json::Type::boolean:
            require(v.raw == "true" || v.raw == "false", "boolean text");
            break;
          case json::Type::null:
            require(v.raw == "null", "null text");
            break;
          default:
            require(v.raw[0] == '-' || (v.raw[0] >= '0' && v.raw[0] <= '9'), "number text");
            numbers.push_back(v.raw);
        }
      }
    }
    if (!open.empty() && open.back().type == json::Type::object) {
      require(open.back().expect_value, "object value follows its name");
      open.back().expect_value = false;
    }
    if (open.empty()) {
      require(!top_level_done, "one top-level value");
      top_level_done = true;
      top_type = v.type;
      top_offset = v.offset;
    }
    if (v.type == json::Type::array && depth == 1) {
      (void)json::array_contains_string(v.raw, "api");
      (void)json::array_contains_string(v.raw, "");
    }
    ++count;
    return true;
  }
};

std::size_t first_non_space(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) {
    ++i;
  }
  return i;
}

// A number simdjson cannot hold: an integer beyond 64 bits, or a value beyond double range.
bool beyond_simdjson(std::string_view number) {
  if (number.find_first_of(".eE") == std::string_view::npos) {
    const bool negative = number[0] == '-';
    const std::string_view digits = number.substr(negative ? 1 : 0);
    const std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
    return digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit);
  }
  const std::string copy(number);
  return std::isinf(std::strtod(copy.c_str(), nullptr));
}

bool is_ijson(Problem p) {
  return p == Problem::duplicate_name || p == Problem::lone_surrogate || p == Problem::noncharacter;
}

json::Result run(std::string_view text, bool require_object, bool strict, Events* events) {
  json::Options options;
  options.require_object = require_object;
  options.strict = strict;
  Events local(text);
  Events& e = events != nullptr ? *events : local;
  const json::Result r = json::parse(text, e, options);
  if (r.ok()) {
    // What the reader accepted keeps the rules it enforces, checked here independently.
    require(e.max_depth <= static_cast<std::size_t>(json::kMaxDepth), "accepted: too deep");
    require(e.worst_string < 2, "accepted: a string that unescapes to invalid WTF-8");
    if (strict) {
      require(!e.duplicate, "accepted: a duplicate name (after unescaping)");
      require(e.worst_string == 0, "accepted: a noncharacter or surrogate in a string");
    }
    require(e.open.empty(), "every container closed");
    require(e.top_level_done, "a top-level value");
    require(e.top_offset == first_non_space(text), "top-level value where the text starts");
    require(!require_object || e.top_type == json::Type::object, "top level is an object");
  }
  if (r.ok() || r.problem == Problem::too_long) {
    require(r.offset == 0, "no offset on success");
  } else {
    require(r.offset <= text.size(), "problem offset inside");
  }
  require(r.warning == Problem::none || !strict, "warnings only when lenient");
  require(r.warning == Problem::none || is_ijson(r.warning), "warnings are I-JSON rules");
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // Strict, object required: the verifier's reader.
  Events first(text);
  const json::Result strict = run(text, true, true, &first);
  Events second(text);
  const json::Result again = run(text, true, true, &second);
  require(again.problem == strict.problem && again.offset == strict.offset, "deterministic");
  require(first.count == second.count, "same events");
  if (size > json::kMaxText) {
    require(strict.problem == Problem::too_long, "too long");
    return 0;
  }

  // The start-up entry point agrees with the hot path.
  {
    json::Validate validate;
    json::Options options;
    const json::Result large = json::parse_large(text, validate, options);
    require(large.problem == strict.problem && large.offset == strict.offset,
            "parse_large agrees with parse");
  }

  // Any top-level value: the object rule is the only difference.
  const json::Result any = run(text, false, true, nullptr);
  const std::size_t start = first_non_space(text);
  const bool object_first = start < text.size() && text[start] == '{';
  if (any.ok()) {
    require(strict.ok() == object_first, "object rule alone");
    if (!object_first) {
      require(strict.problem == Problem::not_an_object && strict.offset == start,
              "not_an_object where the value starts");
    }
  } else if (object_first) {
    require(any.problem == strict.problem && any.offset == strict.offset, "same failure");
  } else {
    require(strict.problem == (start == size ? Problem::syntax : Problem::not_an_object) &&
                strict.offset == start,
            "no object: refused where the value starts");
  }
  if (strict.ok()) require(any.ok(), "an object is a value");

  // Lenient and strict agree.
  const json::Result lenient = run(text, true, false, nullptr);
  if (strict.ok()) {
    require(lenient.ok() && lenient.warning == Problem::none, "valid text: no warning");
  } else if (is_ijson(strict.problem)) {
    require(lenient.warning == strict.problem && lenient.warning_offset == strict.offset,
            "lenient warns of the strict failure");
    if (!lenient.ok()) {
      require(!is_ijson(lenient.problem), "lenient fails on RFC 8259 rules only");
      require(lenient.offset >= strict.offset, "lenient fails later");
    }
  } else {
    require(lenient.problem == strict.problem && lenient.offset == strict.offset,
            "RFC 8259 errors are the same when lenient");
    require(lenient.warning == Problem::none, "no warning before an RFC 8259 error");
  }

#ifdef APPROOV_FUZZ_SIMDJSON
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const auto error = parser.parse(text.data(), text.size()).get(doc);
  // Numbers outside the 64-bit integer or double range are valid JSON that simdjson declines
  // to represent: that, and only that, excuses its number errors on a text we accept.
  Events values(text);
  json::Options any_options;
  any_options.require_object = false;
  (void)json::parse(text, values, any_options);
  const bool number_limit =
      (error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE) &&
      std::any_of(values.numbers.begin(), values.numbers.end(), beyond_simdjson);
  if (any.ok() && error != simdjson::SUCCESS && !number_limit) {
    std::fprintf(stderr, "simdjson rejects what we accept: %s\n", simdjson::error_message(error));
    std::abort();
  }
  if (strict.ok() && error == simdjson::SUCCESS) require(doc.is_object(), "accepted: an object");
  if (error == simdjson::SUCCESS && !strict.ok()) {
    // Our extra rules are the only reasons to refuse what simdjson accepts.
    const Problem p = strict.problem;
    const bool explained = is_ijson(p) || p == Problem::too_deep || p == Problem::not_an_object;
    if (!explained) {
      std::fprintf(stderr, "we reject what simdjson accepts: %s at %zu\n", json::describe(p),
                   strict.offset);
      std::abort();
    }
    if (p == Problem::not_an_object) require(!doc.is_object(), "not_an_object: not an object");
    if (p == Problem::too_deep) require(!any.ok(), "too deep whatever the top level");
  }
#endif
  return 0;
}
