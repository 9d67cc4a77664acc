// Fuzz target for the library's private strict JSON parser (src/json.cpp), called directly.
// Checks, besides the absence of crashes and sanitizer reports:
//  - every reported member's raw key/value views lie inside the input, and unescaping a key
//    gives a string that string_equals() matches and that is never longer than the raw text;
//  - the parse is deterministic;
//  - (when built with simdjson) every document this parser accepts is also accepted by
//    simdjson's DOM parser: ours is stricter (duplicates, noncharacters, depth), never looser.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "internal/json.hpp"

#ifdef APPROOV_FUZZ_SIMDJSON
#include <simdjson.h>
#endif

namespace {

namespace json = approov::json;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz_json: invariant broken: %s\n", what);
  std::abort();
}

struct Member {
  std::string_view key;
  bool key_escaped;
  json::Type type;
  std::string_view value;
  bool value_escaped;
};

struct Walk {
  std::string_view text;
  std::size_t members = 0;
  bool operator()(const json::Value& k, const json::Value& v) noexcept {
    return sink(this, Member{k.raw, k.escaped, v.type, v.raw, v.escaped});
  }
  static bool sink(void* context, const Member& m) noexcept {
    auto& w = *static_cast<Walk*>(context);
    const char* begin = w.text.data();
    const char* end = begin + w.text.size();
    require(m.key.data() >= begin && m.key.data() + m.key.size() <= end, "key inside input");
    require(m.value.data() >= begin && m.value.data() + m.value.size() <= end,
            "value inside input");
    char plain[json::kMaxText];
    const std::size_t n = json::unescape(m.key, plain);
    require(n <= m.key.size(), "unescape never grows");
    require(m.key_escaped || std::string_view(plain, n) == m.key, "plain key unchanged");
    require(json::string_equals(m.key, m.key_escaped, std::string_view(plain, n)),
            "key equals its unescaped form");
    if (m.type == json::Type::string) {
      const std::size_t v = json::unescape(m.value, plain);
      require(v <= m.value.size(), "unescape never grows");
      require(json::string_equals(m.value, m.value_escaped, std::string_view(plain, v)),
              "value equals its unescaped form");
    }
    if (m.type == json::Type::array) {
      (void)json::array_contains_string(m.value, "api");
      (void)json::array_contains_string(m.value, "");
    }
    ++w.members;
    return true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Walk first{text};
  const bool ok = json::for_each_member(text, first).ok();
  Walk second{text};
  require(json::for_each_member(text, second).ok() == ok, "deterministic");
  require(first.members == second.members, "same members");

#ifdef APPROOV_FUZZ_SIMDJSON
  if (ok) {
    static simdjson::dom::parser parser;
    simdjson::dom::element doc;
    const auto error = parser.parse(text.data(), text.size()).get(doc);
    // Numbers outside double/int64 range are valid JSON that simdjson declines to represent.
    const bool number_limit =
        error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE;
    if (error != simdjson::SUCCESS && !number_limit) {
      std::fprintf(stderr, "simdjson rejects what we accept: %s\n", simdjson::error_message(error));
      std::abort();
    }
    require(number_limit || doc.is_object(), "accepted text is an object");
  }
#endif
  return 0;
}
