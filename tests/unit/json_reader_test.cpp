// The private JSON reader (src/internal/json.hpp), byte by byte and event by event: the exact
// sets of whitespace, escapes and string bytes it accepts, the problem and offset it reports,
// its events (offsets, depths, raw texts) and its lenient mode. json_test.cpp checks the same
// rules through the verifier; here each rule is pinned down over its whole range, so that a
// one-line change to the reader fails a test (tests/mutants/).
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "internal/json.hpp"
#include "test_support.hpp"

namespace approov::test {
namespace {

using json::Problem;

const char* name_of(Problem p) {
  return json::describe(p);
}

json::Result strict(std::string_view text) {
  json::Validate validate;
  return json::parse(text, validate);
}

json::Result any_value(std::string_view text) {
  json::Validate validate;
  json::Options options;
  options.require_object = false;
  return json::parse(text, validate, options);
}

json::Result lenient(std::string_view text) {
  json::Validate validate;
  json::Options options;
  options.strict = false;
  return json::parse(text, validate, options);
}

std::string in_string(std::string_view bytes) {
  return R"({"s":")" + std::string(bytes) + "\"}";
}

Reason payload_reason(std::string_view payload) {
  return verify_reason(mint(kHeader, payload));
}

// ---- the byte sets
// -------------------------------------------------------------------------------

// Only space, tab, LF and CR are JSON whitespace: form feed, vertical tab, NUL, NBSP, ... are not.
TEST(JsonReader, WhitespaceIsExactlySpaceTabLfCr) {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    // Places where any other byte breaks the text (no number to extend, no string to enter).
    const std::string s(1, c);
    for (const std::string& text :
         {s + R"({"a":[true,null]})", "{" + s + R"("a":[true,null]})",
          R"({"a")" + s + R"(:[true,null]})", R"({"a":)" + s + R"([true,null]})",
          R"({"a":[)" + s + R"(true,null]})", R"({"a":[true)" + s + R"(,null]})",
          R"({"a":[true,)" + s + R"(null]})", R"({"a":[true,null])" + s + "}",
          R"({"a":[true,null]})" + s}) {
      EXPECT_EQ(strict(text).ok(), ws) << "byte 0x" << std::hex << b << " in " << text;
    }
  }
  // Through the verifier too: a form feed between tokens is bad_json.
  EXPECT_EQ(payload_reason("{\"exp\":4708683205\f}"), Reason::bad_json);
  EXPECT_EQ(payload_reason("\f{\"exp\":4708683205}"), Reason::bad_json);
  EXPECT_EQ(payload_reason("{\"exp\":\v4708683205}"), Reason::bad_json);
}

// Every byte below 0x20 is refused raw inside a string (name or value), whatever its position:
// the reader checks eight bytes at a time, so each byte is tried at every offset of a word.
TEST(JsonReader, EveryControlByteIsRefusedInStrings) {
  for (int b = 0; b < 0x20; ++b) {
    const char c = static_cast<char>(b);
    for (std::size_t before = 0; before < 20; ++before) {
      const std::string body = std::string(before, 'x') + c + std::string(9, 'y');
      const std::string value = in_string(body);
      const json::Result r = strict(value);
      EXPECT_EQ(r.problem, Problem::control_character) << "byte " << b << " after " << before;
      EXPECT_EQ(r.offset, 6 + before) << "byte " << b << " after " << before;
      const std::string name = "{\"" + body + "\":1}";
      EXPECT_EQ(strict(name).problem, Problem::control_character) << "name, byte " << b;
    }
    EXPECT_EQ(payload_reason(std::string(R"({"exp":4708683205,"s":"a)") + c + "b\"}"),
              Reason::bad_json)
        << "byte " << b;
    EXPECT_EQ(payload_reason(std::string(R"({"exp":4708683205,"long string claim )") + c +
                             " with more text\":1}"),
              Reason::bad_json)
        << "byte " << b;
  }
  // 0x20 and DEL (0x7F) are ordinary characters.
  EXPECT_TRUE(strict(in_string(std::string(20, ' ') + "\x7f" + std::string(20, '\x7f'))).ok());
}

// The only escapes are \" \\ \/ \b \f \n \r \t and \uXXXX.
TEST(JsonReader, OnlyTheRfc8259EscapesAreAccepted) {
  const std::string allowed = "\"\\/bfnrt";
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    if (c == 'u') continue;
    const std::string text = in_string(std::string("a\\") + c + "b");
    const json::Result r = strict(text);
    if (allowed.find(c) != std::string::npos) {
      EXPECT_TRUE(r.ok()) << "\\" << c;
    } else {
      EXPECT_EQ(r.problem, Problem::bad_escape) << "byte 0x" << std::hex << b;
      EXPECT_EQ(r.offset, 7U) << "byte 0x" << std::hex << b;
    }
  }
  EXPECT_EQ(payload_reason(R"({"exp":4708683205,"s":"it\'s"})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"({"exp":4708683205,"it\'s":1})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"({"exp":4708683205,"s":"\a\v\0\x41\U00000041\e"})"), Reason::bad_json);
  EXPECT_EQ(strict(in_string(R"(\u00e9\u00E9\uABCD)")).problem, Problem::none);
  EXPECT_EQ(strict(in_string(R"(\u00g9)")).problem, Problem::bad_escape);
  EXPECT_EQ(strict(in_string(R"(\U00e9)")).problem, Problem::bad_escape);
}

// ---- problems and where they are -----------------------------------------------------------

TEST(JsonReader, ReportsTheProblemAndItsOffset) {
  struct Case {
    std::string text;
    Problem problem;
    std::size_t offset;
  };
  const std::vector<Case> cases = {
      {R"({"a":1})", Problem::none, 0},
      {R"({"a":1} x)", Problem::syntax, 8},
      {R"({"a":1}{})", Problem::syntax, 7},
      {R"([1])", Problem::not_an_object, 0},
      {R"(  "a")", Problem::not_an_object, 2},
      {"", Problem::syntax, 0},
      {"  ", Problem::syntax, 2},
      {R"({"a":1,"a":2})", Problem::duplicate_name, 7},
      {R"({"a":1,"\u0061":2})", Problem::duplicate_name, 7},
      {R"({"\u0061":1,"a":2})", Problem::duplicate_name, 12},
      {R"({"a":"\ud800"})", Problem::lone_surrogate, 6},
      {R"({"a":"x\udc00"})", Problem::lone_surrogate, 7},
      {R"({"a":"\ud800\ud800"})", Problem::lone_surrogate, 6},
      {R"({"a":"\ufdd0"})", Problem::noncharacter, 6},
      {"{\"a\":\"xy\xEF\xBF\xBE\"}", Problem::noncharacter, 8},
      {"{\"a\":\"\xC0\x80\"}", Problem::bad_utf8, 6},
      {R"({"a":01})", Problem::syntax, 6},
      {R"({"a":1.})", Problem::syntax, 7},
      {R"({"a":1e})", Problem::syntax, 7},
      {R"({"a":-})", Problem::syntax, 6},
      {R"({"a":tru})", Problem::syntax, 5},
      {R"({"a":1,})", Problem::syntax, 7},
  };
  for (const Case& c : cases) {
    const json::Result r = strict(c.text);
    EXPECT_EQ(r.problem, c.problem) << c.text << ": " << name_of(r.problem);
    if (c.problem != Problem::none) {
      EXPECT_EQ(r.offset, c.offset) << c.text;
    }
  }
}

TEST(JsonReader, DepthLimitCountsTheTopLevel) {
  const auto arrays = [](int depth) {
    return R"({"a":)" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
  };
  EXPECT_EQ(strict(arrays(json::kMaxDepth)).problem, Problem::none);
  const json::Result r = strict(arrays(json::kMaxDepth + 1));
  EXPECT_EQ(r.problem, Problem::too_deep);
  EXPECT_EQ(r.offset, 5U + json::kMaxDepth - 1);  // the bracket that opens level 33
  json::Options options;
  options.max_depth = 2;
  json::Validate v;
  EXPECT_TRUE(json::parse(R"({"a":[]})", v, options).ok());
  EXPECT_EQ(json::parse(R"({"a":[[]]})", v, options).problem, Problem::too_deep);
}

TEST(JsonReader, DuplicateNamesAreComparedWholeAndPerObject) {
  EXPECT_TRUE(strict(R"({"ab":1,"a":2,"abc":3,"":4,"b":5})").ok());
  EXPECT_EQ(strict(R"({"ab":1,"a":2,"ab":3})").problem, Problem::duplicate_name);
  EXPECT_EQ(strict(R"({"":1,"":2})").problem, Problem::duplicate_name);
  // A closed object's names do not clash with its parent's or its siblings'.
  EXPECT_TRUE(strict(R"({"a":{"b":1},"b":2,"c":[{"b":1},{"b":2}],"d":{"b":{"b":3}}})").ok());
  EXPECT_EQ(strict(R"({"a":{"b":1},"a":2})").problem, Problem::duplicate_name);
  // Both spellings escaped, differently.
  EXPECT_EQ(strict(R"({"\u0061b":1,"a\u0062":2})").problem, Problem::duplicate_name);
  EXPECT_EQ(strict(R"({"\/":1,"\u002f":2})").problem, Problem::duplicate_name);
  EXPECT_TRUE(strict(R"({"\u0061":1,"\u0062":2,"a\n":3,"a\t":4})").ok());
}

TEST(JsonReader, NoncharactersRawAndEscapedInEveryPlane) {
  const std::vector<std::uint32_t> bad = {0xFDD0,  0xFDE7,  0xFDEF,  0xFFFE,  0xFFFF,
                                          0x1FFFE, 0x1FFFF, 0x2FFFE, 0xEFFFF, 0x10FFFE};
  const std::vector<std::uint32_t> good = {0xFDCF,  0xFDF0,  0xFFFD,  0xFFFC,
                                           0x1FFFD, 0x20000, 0xEFFFD, 0x10FFFD};
  const auto utf8 = [](std::uint32_t cp) {
    std::string s;
    if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    }
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
    return s;
  };
  const auto escaped = [](std::uint32_t cp) {
    char buf[16];
    if (cp < 0x10000) {
      std::snprintf(buf, sizeof buf, "\\u%04X", cp);
    } else {
      const std::uint32_t v = cp - 0x10000;
      std::snprintf(buf, sizeof buf, "\\u%04X\\u%04X", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
    }
    return std::string(buf);
  };
  for (const std::uint32_t cp : bad) {
    EXPECT_EQ(strict(in_string(utf8(cp))).problem, Problem::noncharacter) << std::hex << cp;
    EXPECT_EQ(strict(in_string(escaped(cp))).problem, Problem::noncharacter) << std::hex << cp;
  }
  for (const std::uint32_t cp : good) {
    EXPECT_TRUE(strict(in_string(utf8(cp))).ok()) << std::hex << cp;
    EXPECT_TRUE(strict(in_string(escaped(cp))).ok()) << std::hex << cp;
  }
}

TEST(JsonReader, Utf8RangesAtEveryBoundary) {
  const std::vector<std::string> bad = {
      "\xC0\x80",         "\xC1\xBF",         "\xE0\x80\x80",     "\xE0\x9F\xBF",
      "\xED\xA0\x80",     "\xED\xBF\xBF",     "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF",
      "\xF4\x90\x80\x80", "\xF4\xBF\xBF\xBF", "\xF5\x80\x80\x80", "\xF7\xBF\xBF\xBF",
      "\xF8\x88\x80\x80", "\xE1\x80\xC0",     "\xE1\x80\x7F",     "\xF1\x80\x80\xC0",
      "\xF1\x80\xC0\x80", "\xC2\xC0",         "\xC2\x7F",         "\xE1\xC0\x80"};
  for (const std::string& b : bad) {
    EXPECT_EQ(strict(in_string(b)).problem, Problem::bad_utf8) << testing::PrintToString(b);
    EXPECT_EQ(strict(in_string("long enough for a word " + b + " and more")).problem,
              Problem::bad_utf8)
        << testing::PrintToString(b);
  }
  const std::vector<std::string> good = {
      "\xC2\x80",     "\xDF\xBF",         "\xE0\xA0\x80",     "\xED\x9F\xBF",    "\xEE\x80\x80",
      "\xEF\xBF\xBD", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBD", "\xF3\xBF\xBF\xBD"};
  for (const std::string& g : good) {
    EXPECT_TRUE(strict(in_string(g)).ok()) << testing::PrintToString(g);
  }
}

TEST(JsonReader, SurrogatePairs) {
  EXPECT_TRUE(strict(in_string(R"(\ud800\udc00\udbff\udffd\uD83D\uDE00)")).ok());
  for (const char* bad :
       {R"(\ud800)", R"(\udbff)", R"(\udc00)", R"(\udfff)", R"(\ud800\ud800)", R"(\udbff\udbff)",
        R"(\udc00\ud800)", R"(\ud800x)", R"(\ud800\n)", R"(\ud800\u0041)", R"(\ud800\ue000)"}) {
    EXPECT_EQ(strict(in_string(bad)).problem, Problem::lone_surrogate) << bad;
  }
}

TEST(JsonReader, NumberGrammar) {
  for (const char* good : {"0", "-0", "1", "-1", "10", "0.0", "0.5", "1.25", "1e5", "1E5", "1e+5",
                           "1e-5", "1E-05", "-0.0e-0", "123456789012345678901234567890"}) {
    EXPECT_TRUE(any_value(good).ok()) << good;
  }
  for (const char* bad : {"01", "-01", "00", "1.", "-", "-.5", ".5", "1e", "1e+", "1e-", "1E", "+1",
                          "1.e5", "0x1", "1ee5", "1e5.5", "--1", "- 1", "1 2"}) {
    EXPECT_EQ(any_value(bad).problem, Problem::syntax) << bad;
  }
}

TEST(JsonReader, TopLevelValue) {
  EXPECT_EQ(strict("[]").problem, Problem::not_an_object);
  EXPECT_EQ(strict("1").problem, Problem::not_an_object);
  EXPECT_EQ(strict("\"x\"").problem, Problem::not_an_object);
  for (const char* v : {"[]", "1", "\"x\"", "true", "false", "null", " [ 1 , {} ] "}) {
    EXPECT_TRUE(any_value(v).ok()) << v;
  }
  EXPECT_EQ(any_value("1 2").problem, Problem::syntax);
  EXPECT_EQ(any_value("[] []").problem, Problem::syntax);
}

// ---- events ------------------------------------------------------------------------------------

struct Recorder {
  std::vector<std::string> events;
  static const char* type(json::Type t) {
    switch (t) {
      case json::Type::object:
        return "object";
      case json::Type::array:
        return "array";
      case json::Type::string:
        return "string";
      case json::Type::number:
        return "number";
      case json::Type::boolean:
        return "boolean";
      case json::Type::null:
        return "null";
    }
    return "?";
  }
  bool begin(json::Type t, std::size_t depth, std::size_t offset) {
    events.push_back("begin " + std::string(type(t)) + " d" + std::to_string(depth) + " @" +
                     std::to_string(offset));
    return true;
  }
  bool name(const json::Value& n, std::size_t depth) {
    events.push_back("name " + std::string(n.raw) + (n.escaped ? " (esc)" : "") + " d" +
                     std::to_string(depth) + " @" + std::to_string(n.offset));
    return true;
  }
  bool value(const json::Value& v, std::size_t depth) {
    events.push_back("value " + std::string(type(v.type)) + " " + std::string(v.raw) +
                     (v.escaped ? " (esc)" : "") + " d" + std::to_string(depth) + " @" +
                     std::to_string(v.offset));
    return true;
  }
};

TEST(JsonReader, EventsCarryOffsetsDepthsAndRawText) {
  const std::string text = R"( {"a": [1, {"b\n": null}], "c":"x\"y", "d":true} )";
  Recorder r;
  ASSERT_TRUE(json::parse(text, r).ok());
  const std::vector<std::string> expected = {
      "begin object d0 @1",
      "name a d1 @2",
      "begin array d1 @7",
      "value number 1 d2 @8",
      "begin object d2 @11",
      R"(name b\n (esc) d3 @12)",
      "value null null d3 @19",
      R"(value object {"b\n": null} d2 @11)",
      R"(value array [1, {"b\n": null}] d1 @7)",
      "name c d1 @27",
      R"(value string x\"y (esc) d1 @31)",
      "name d d1 @39",
      "value boolean true d1 @43",
      R"(value object {"a": [1, {"b\n": null}], "c":"x\"y", "d":true} d0 @1)",
  };
  EXPECT_EQ(r.events, expected);
}

TEST(JsonReader, AHandlerCanStopTheParse) {
  struct StopAtB : Recorder {
    bool name(const json::Value& n, std::size_t depth) {
      Recorder::name(n, depth);
      return n.raw != "b";
    }
  } r;
  const json::Result result = json::parse(R"({"a":1,"b":2,"c":3})", r);
  EXPECT_EQ(result.problem, Problem::stopped);
  EXPECT_EQ(result.offset, 7U);
  EXPECT_EQ(r.events.back(), "name b d1 @7");
}

// ---- lenient mode ------------------------------------------------------------------------------

TEST(JsonReader, LenientModeReportsTheFirstIJsonBreachAndGoesOn) {
  for (const char* text : {R"({"a":1,"a":2})", R"({"a":"\ud800"})", R"({"a":"\ufffe"})",
                           "{\"a\":\"\xEF\xBF\xBF\"}", R"({"a":{"b":1,"b":2},"c":"\udc00"})"}) {
    EXPECT_FALSE(strict(text).ok()) << text;
    const json::Result r = lenient(text);
    EXPECT_TRUE(r.ok()) << text;
    EXPECT_NE(r.warning, Problem::none) << text;
    EXPECT_EQ(r.warning, strict(text).problem) << text;
    EXPECT_EQ(r.warning_offset, strict(text).offset) << text;
  }
  // The first breach is the one reported, not the last.
  const json::Result r = lenient(R"({"x":"\ufffe","a":1,"a":2,"y":"\udc00"})");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.warning, Problem::noncharacter);
  EXPECT_EQ(r.warning_offset, 6U);
  // Strictly valid text gives no warning; RFC 8259 errors stay fatal.
  EXPECT_EQ(lenient(R"({"a":1})").warning, Problem::none);
  for (const char* text : {R"({"a":1,})", "{\"a\":\"\x01\"}", R"({"a":"\'"})",
                           "{\"a\":\"\xC0\x80\"}", R"({"a":1} x)", "[1]"}) {
    EXPECT_FALSE(lenient(text).ok()) << text;
    EXPECT_EQ(lenient(text).problem, strict(text).problem) << text;
  }
}

// ---- unescaping and comparison
// -------------------------------------------------------------------

TEST(JsonReader, UnescapeEncodesEveryLength) {
  struct Case {
    const char* raw;
    std::string plain;
  };
  const std::vector<Case> cases = {
      {R"(\u0000\u007f)", std::string("\0\x7f", 2)},
      {R"(\u0080\u07ff)", "\xC2\x80\xDF\xBF"},
      {R"(\u0800\uffFD)", "\xE0\xA0\x80\xEF\xBF\xBD"},
      {R"(\ud800\udc00\udbff\udffd)", "\xF0\x90\x80\x80\xF4\x8F\xBF\xBD"},
      {R"(\"\\\/\b\f\n\r\t)", "\"\\/\b\f\n\r\t"},
  };
  for (const Case& c : cases) {
    char out[64];
    const std::string_view raw(c.raw);
    EXPECT_EQ(std::string(out, json::unescape(raw, out)), c.plain) << c.raw;
    EXPECT_TRUE(json::string_equals(raw, true, c.plain)) << c.raw;
  }
  EXPECT_FALSE(json::string_equals(R"(\u0800)", true, "\xE0\xA0\x81"));
  EXPECT_FALSE(json::string_equals(R"(\ud800\udc01)", true, "\xF0\x90\x80\x80"));
}

// The lenient reader (the CLI's `decode`) hands out strings that hold lone surrogate escapes;
// unescaping and comparing them stays inside the string and keeps each lone surrogate as its
// own three-byte (WTF-8) form. They used to be paired with whatever followed, reading past
// the end of the string.
TEST(JsonReader, LoneSurrogatesFromTheLenientReaderStayInsideTheString) {
  const std::string doc = R"({"\ud800":1,"a\ud800\u0041":2,"\udbff\udbff":3,"\udc00":4})";
  std::vector<std::pair<std::string, bool>> names;
  const auto collect = [&names](const json::Value& name, const json::Value&) {
    names.emplace_back(std::string(name.raw), name.escaped);
    return true;
  };
  json::TopLevelMembers<decltype(collect)> members{collect};
  json::Options options;
  options.strict = false;
  const json::Result r = json::parse(doc, members, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.warning, Problem::lone_surrogate);
  ASSERT_EQ(names.size(), 4U);
  const std::vector<std::string> plain = {"\xED\xA0\x80",
                                          "a\xED\xA0\x80"
                                          "A",
                                          "\xED\xAF\xBF\xED\xAF\xBF", "\xED\xB0\x80"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    // Each raw name in a buffer of its own size, so that a read past it is caught by ASan.
    const std::unique_ptr<char[]> exact(new char[names[i].first.size()]);
    std::memcpy(exact.get(), names[i].first.data(), names[i].first.size());
    const std::string_view raw(exact.get(), names[i].first.size());
    EXPECT_TRUE(json::string_equals(raw, true, plain[i])) << names[i].first;
    EXPECT_FALSE(json::string_equals(raw, true, "exp")) << names[i].first;
    std::string out(raw.size(), '\0');
    out.resize(json::unescape(raw, out.data()));
    EXPECT_EQ(out, plain[i]) << names[i].first;
  }
}

TEST(JsonReader, ArrayContainsOnlyTopLevelStrings) {
  EXPECT_TRUE(json::array_contains_string(R"(["x","api"])", "api"));
  EXPECT_TRUE(json::array_contains_string(R"([1,{"a":"b"},"\u0061pi"])", "api"));
  EXPECT_FALSE(json::array_contains_string(R"([["api"]])", "api"));
  EXPECT_FALSE(json::array_contains_string(R"([{"api":"api"}])", "api"));
  EXPECT_FALSE(json::array_contains_string(R"(["apix","ap","API"])", "api"));
  EXPECT_FALSE(json::array_contains_string(R"([])", "api"));
}

}  // namespace
}  // namespace approov::test
