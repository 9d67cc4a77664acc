// The CLI's JSON checker/formatter reads attacker-controlled text in `decode`, and decides in
// `gen` whether a --claim value is JSON: pin both behaviours down in-process.
#include "json_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace approov_cli {
namespace {

TEST(JsonText, PrettyKeepsNumbersAndStringsVerbatim) {
  std::string out;
  const auto check =
      check_json(R"( {"exp":4708683205.891912,"s":"a\u00e9\"","a":[1,{},[]],"n":null} )", &out);
  ASSERT_TRUE(check.ok()) << check.describe();
  EXPECT_EQ(out,
            "{\n  \"exp\": 4708683205.891912,\n  \"s\": \"a\\u00e9\\\"\",\n  \"a\": [\n    1,\n"
            "    {},\n    []\n  ],\n  \"n\": null\n}");
}

TEST(JsonText, RejectsWhatIsNotJson) {
  for (const char* bad : {"",
                          "{",
                          "{\"a\"}",
                          "{\"a\":1,}",
                          "[1,]",
                          "01",
                          "1.",
                          "-",
                          "+1",
                          "NaN",
                          "tru",
                          "\"\\x\"",
                          "\"a\nb\"",
                          "{} {}",
                          "'a'",
                          "{a:1}",
                          "[\"\xff\"]",
                          "\"\xc0\xaf\"",
                          "\"\xed\xa0\x80\"",
                          "\"\\u12\""}) {
    EXPECT_FALSE(check_json(bad).is_json()) << bad;
  }
}

TEST(JsonText, ReportsIJsonProblemsSeparately) {
  using approov::json::Problem;
  EXPECT_EQ(check_json(R"({"a":1,"a":2})").problem, Problem::duplicate_name);
  EXPECT_EQ(check_json(R"({"a":1,"\u0061":2})").problem, Problem::duplicate_name);
  EXPECT_TRUE(check_json(R"({"a":1,"a":2})").is_json());
  EXPECT_TRUE(check_json(R"({"a":{"a":1},"b":{"a":2}})").ok());
  EXPECT_EQ(check_json(R"("\ud800")").problem, Problem::lone_surrogate);
  EXPECT_EQ(check_json(R"("\udc00\ud800")").problem, Problem::lone_surrogate);
  EXPECT_TRUE(check_json(R"("\ud83d\ude00")").ok());
  // The verifier's rules, not only RFC 8259: noncharacters, raw or escaped, are refused.
  EXPECT_EQ(check_json(R"("\uFFFF")").problem, Problem::noncharacter);
  EXPECT_EQ(check_json("\"\xEF\xB7\x90\"").problem, Problem::noncharacter);  // U+FDD0
  EXPECT_EQ(check_json(R"("\uFFFF")").offset, 1U);
  EXPECT_TRUE(check_json(std::string(32, '[') + std::string(32, ']')).ok());
  EXPECT_EQ(check_json(std::string(33, '[') + std::string(33, ']')).problem, Problem::too_deep);
  // Very deep input stops at the limit instead of recursing (no stack exhaustion).
  EXPECT_EQ(check_json(std::string(100000, '[')).problem, Problem::too_deep);
  EXPECT_EQ(check_json(R"({"a":1,"a":2})").describe(), "duplicate member name at byte 7");
}

TEST(JsonText, PrettyShowsWhatABadTokenHolds) {
  std::string out;
  const auto check = check_json(R"({"a":1,"a":"\uFFFF"})", &out);
  EXPECT_TRUE(check.is_json());
  EXPECT_FALSE(check.ok());
  EXPECT_EQ(out, "{\n  \"a\": 1,\n  \"a\": \"\\uFFFF\"\n}");
  EXPECT_FALSE(check_json("{\"a\":", &out).is_json());
  EXPECT_EQ(out, "");
}

TEST(JsonText, MemberLookup) {
  const auto exp = json_member(R"({"x":{"exp":1},"exp":4708683205.891912})", "exp");
  ASSERT_TRUE(exp);
  EXPECT_EQ(exp->raw, "4708683205.891912");
  EXPECT_EQ(exp->type, approov::json::Type::number);
  EXPECT_FALSE(json_member(R"({"expx":1})", "exp"));
  EXPECT_FALSE(json_member(R"({"exp":)", "exp"));
}

TEST(JsonText, MemberNames) {
  const auto names = json_member_names(R"({"exp":1,"o":{"inner":1},"p\u0061y":"x"})");
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0], "exp");
  EXPECT_EQ(names[1], "o");
  EXPECT_EQ(names[2], "pay");
}

TEST(JsonText, QuoteAndNumbers) {
  EXPECT_EQ(json_quote("a\"b\\c\n\x01\x7f\xc3\xa9"), "\"a\\\"b\\\\c\\n\\u0001\\u007f\xc3\xa9\"");
  EXPECT_TRUE(check_json(json_quote(std::string("\x00\x1f", 2))).ok());
  for (const char* good : {"0", "-0", "1.5", "4708683205.891912", "1e3", "1E-3", "-12.5e+7"}) {
    EXPECT_TRUE(is_json_number(good)) << good;
  }
  for (const char* bad : {"", "01", "1.", ".5", "+1", "1e", "0x10", "1 ", "inf", "NaN"}) {
    EXPECT_FALSE(is_json_number(bad)) << bad;
  }
  EXPECT_TRUE(check_json(json_quote("caf\xc3\xa9")).ok());
  EXPECT_FALSE(check_json(json_quote("\xc3")).ok());
  EXPECT_FALSE(check_json(json_quote("\xf4\x90\x80\x80")).ok());  // beyond U+10FFFF
}

}  // namespace
}  // namespace approov_cli
