// docs/BEHAVIOUR.md §3 "JSON": the payload (and header) must be strict RFC 8259 + I-JSON objects.
// Every token here carries a correct MAC, so only the JSON rules can reject it.
#include <string>

#include "test_support.hpp"

namespace approov::test {
namespace {

Reason payload_reason(std::string_view payload) {
  return verify_reason(mint(kHeader, payload));
}

constexpr std::string_view kExp = R"("exp":4708683205)";

std::string with_claim(std::string_view claim) {
  return "{" + std::string(kExp) + "," + std::string(claim) + "}";
}

TEST(Json, WhitespaceAroundAndInsideIsAccepted) {
  EXPECT_EQ(payload_reason(" \t\r\n{ \"exp\" :\n4708683205\t,\r\"a\" : [ 1 , { } ] } \n"),
            Reason::ok);
}

TEST(Json, PayloadMustBeAnObject) {
  EXPECT_EQ(payload_reason(R"([{"exp":4708683205}])"), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"("exp")"), Reason::bad_json);
  EXPECT_EQ(payload_reason("4708683205"), Reason::bad_json);
  EXPECT_EQ(payload_reason("true"), Reason::bad_json);
  EXPECT_EQ(payload_reason("null"), Reason::bad_json);
  EXPECT_EQ(payload_reason(" "), Reason::bad_json);
}

TEST(Json, ByteOrderMarkIsRejected) {
  EXPECT_EQ(payload_reason("\xEF\xBB\xBF{\"exp\":4708683205}"), Reason::bad_json);
}

TEST(Json, CommentsAreRejected) {
  EXPECT_EQ(payload_reason("{/* c */\"exp\":4708683205}"), Reason::bad_json);
  EXPECT_EQ(payload_reason("{\"exp\":4708683205 // c\n}"), Reason::bad_json);
  EXPECT_EQ(payload_reason("{\"exp\":4708683205}# c"), Reason::bad_json);
}

TEST(Json, TrailingCommasAreRejected) {
  EXPECT_EQ(payload_reason(R"({"exp":4708683205,})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("a":[1,2,])")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("a":{"b":1,})")), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"({,"exp":4708683205})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("a":[,1])")), Reason::bad_json);
}

TEST(Json, TrailingGarbageIsRejected) {
  EXPECT_EQ(payload_reason(R"({"exp":4708683205}x)"), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"({"exp":4708683205}{})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"({"exp":4708683205}})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(std::string(R"({"exp":4708683205})") + '\0'), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"({"exp":4708683205)"), Reason::bad_json);  // truncated
}

TEST(Json, NanAndInfinityAreRejected) {
  EXPECT_EQ(payload_reason(R"({"exp":NaN})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"({"exp":Infinity})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"({"exp":-Infinity})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"({"exp":+Infinity})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("x":nan)")), Reason::bad_json);
}

TEST(Json, NumberGrammarIsStrict) {
  for (const char* bad : {"01", "+1", "1.", ".5", "-", "1e", "1e+", "0x10", "1.5.5", "--1", "1E",
                          "- 1", "1_000", "٣"}) {
    EXPECT_EQ(payload_reason(with_claim(std::string(R"("n":)") + bad)), Reason::bad_json) << bad;
  }
  for (const char* good :
       {"0", "-0", "0.0", "1e5", "1E+5", "1e-5", "-1.5e300", "123456789012345678901234567890"}) {
    EXPECT_EQ(payload_reason(with_claim(std::string(R"("n":)") + good)), Reason::ok) << good;
  }
}

TEST(Json, LiteralsAreCaseSensitiveAndComplete) {
  for (const char* bad : {"True", "FALSE", "nul", "tru", "Null", "undefined"}) {
    EXPECT_EQ(payload_reason(with_claim(std::string(R"("v":)") + bad)), Reason::bad_json) << bad;
  }
  EXPECT_EQ(payload_reason(with_claim(R"("a":true,"b":false,"c":null)")), Reason::ok);
}

TEST(Json, StringsFollowTheGrammar) {
  EXPECT_EQ(payload_reason(with_claim(R"('s':'x')")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"(s:"x")")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim("\"s\":\"a\tb\"")), Reason::bad_json);  // raw control
  EXPECT_EQ(payload_reason(with_claim("\"s\":\"a\nb\"")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(std::string("\"s\":\"a") + '\0' + "b\"")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\x41")")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\u12")")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\u12G4")")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\)")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("s":"unterminated)")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\"\\\/\b\f\n\r\t\u0000\u00e9")")), Reason::ok);
  EXPECT_EQ(payload_reason(with_claim("\"s\":\"\x7f\"")), Reason::ok);  // DEL is allowed
}

TEST(Json, LoneSurrogatesAreRejected) {
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\ud800")")), Reason::bad_json);        // high
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\udbff x")")), Reason::bad_json);      // high
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\udc00")")), Reason::bad_json);        // low
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\udfff\ud800")")), Reason::bad_json);  // reversed
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\ud800\u0041")")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\ud800\ud800")")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("\ud800":1)")), Reason::bad_json);    // in a key
  EXPECT_EQ(payload_reason(with_claim(R"("s":"\ud83d\ude00")")), Reason::ok);  // a real pair
}

TEST(Json, InvalidUtf8IsRejected) {
  const char* bad[] = {
      "\xC0\x80",          // overlong NUL
      "\xC1\xBF",          // overlong
      "\xE0\x80\x80",      // overlong 3-byte
      "\xE0\x9F\xBF",      // overlong 3-byte
      "\xF0\x80\x80\x80",  // overlong 4-byte
      "\xF0\x8F\xBF\xBF",  // overlong 4-byte
      "\xED\xA0\x80",      // encoded surrogate U+D800
      "\xED\xBF\xBF",      // encoded surrogate U+DFFF
      "\xF4\x90\x80\x80",  // U+110000
      "\xF5\x80\x80\x80",  // beyond
      "\xFF",              // never valid
      "\x80",              // lone continuation
      "\xE2\x82",          // truncated
      "\xF0\x9F\x98",      // truncated
      "\xC3",              // truncated
      "\xC3\x28",          // bad continuation
  };
  for (const char* b : bad) {
    EXPECT_EQ(payload_reason(with_claim(std::string(R"("s":"x)") + b + "\"")), Reason::bad_json)
        << b;
    EXPECT_EQ(payload_reason(with_claim(std::string("\"k") + b + "\":1")), Reason::bad_json) << b;
  }
  // Truncated at the very end of the text.
  EXPECT_EQ(payload_reason(std::string(R"({"exp":4708683205,"s":")") + "\xE2\x82"),
            Reason::bad_json);
  for (const char* good : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBD",
                           "\xED\x9F\xBF", "\xEE\x80\x80"}) {
    EXPECT_EQ(payload_reason(with_claim(std::string(R"("s":")") + good + "\"")), Reason::ok)
        << good;
  }
}

TEST(Json, NoncharactersAreRejected) {
  // Our documented I-JSON choice: noncharacters are rejected, raw or escaped.
  for (const char* raw : {"\xEF\xBF\xBF", "\xEF\xBF\xBE", "\xEF\xB7\x90", "\xEF\xB7\xAF",
                          "\xF0\x9F\xBF\xBE", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_EQ(payload_reason(with_claim(std::string(R"("s":")") + raw + "\"")), Reason::bad_json)
        << raw;
  }
  for (const char* escaped :
       {R"(\uffff)", R"(\uFFFE)", R"(\ufdd0)", R"(\uFDEF)", R"(\ud83f\udffe)", R"(\udbff\udfff)"}) {
    EXPECT_EQ(payload_reason(with_claim(std::string(R"("s":")") + escaped + "\"")),
              Reason::bad_json)
        << escaped;
  }
  // Neighbours of the noncharacter ranges are fine.
  for (const char* escaped : {R"(\ufdcf)", R"(\ufdf0)", R"(\ufffd)", R"(\ud83f\udffd)"}) {
    EXPECT_EQ(payload_reason(with_claim(std::string(R"("s":")") + escaped + "\"")), Reason::ok)
        << escaped;
  }
}

std::string nested(int depth) {
  // The top-level object is depth 1; each array adds one.
  return with_claim("\"d\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']'));
}

TEST(Json, NestingDepth32IsAcceptedAnd33Rejected) {
  EXPECT_EQ(payload_reason(nested(32)), Reason::ok);
  EXPECT_EQ(payload_reason(nested(33)), Reason::bad_json);
  EXPECT_EQ(payload_reason(nested(1000)), Reason::bad_json);
  // Objects count too.
  std::string objects;
  for (int i = 1; i < 32; ++i) objects += R"({"o":)";
  objects += "1" + std::string(31, '}');
  EXPECT_EQ(payload_reason(with_claim("\"d\":" + objects)), Reason::ok);
  std::string deeper;
  for (int i = 1; i < 33; ++i) deeper += R"({"o":)";
  deeper += "1" + std::string(32, '}');
  EXPECT_EQ(payload_reason(with_claim("\"d\":" + deeper)), Reason::bad_json);
}

TEST(Json, DuplicateClaimsAreRejected) {
  EXPECT_EQ(payload_reason(R"({"exp":4708683205,"exp":4708683205})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"({"exp":1,"exp":4708683205})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("pay":"a","pay":"b")")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("x":1,"y":2,"x":3)")), Reason::bad_json);
}

TEST(Json, DuplicatesAreComparedAfterUnescaping) {
  EXPECT_EQ(payload_reason(R"({"exp":4708683205,"\u0065xp":1})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(R"({"\u0065xp":1,"exp":4708683205})"), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("\u0070ay":"a","pay":"b")")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("a\/b":1,"a/b":2)")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("\u00e9":1,"é":2)")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("\ud83d\ude00":1,"😀":2)")), Reason::bad_json);
  // Different names that merely look alike are fine.
  EXPECT_EQ(payload_reason(with_claim(R"("Exp":1,"e\u0078p2":2)")), Reason::ok);
}

TEST(Json, NestedDuplicatesAreRejected) {
  EXPECT_EQ(payload_reason(with_claim(R"("a":{"b":1,"b":2})")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("a":[{"b":1,"\u0062":2}])")), Reason::bad_json);
  EXPECT_EQ(payload_reason(with_claim(R"("a":{"c":{"d":1,"d":1}})")), Reason::bad_json);
  // The same name in different objects, or inside and outside, is not a duplicate.
  EXPECT_EQ(payload_reason(with_claim(R"("a":{"b":1},"c":{"b":2},"b":3,"d":[{"b":1},{"b":2}])")),
            Reason::ok);
  EXPECT_EQ(payload_reason(with_claim(R"("a":{"exp":1,"a":{"exp":2}})")), Reason::ok);
}

TEST(Json, ManyMembersAreAccepted) {
  std::string claims;
  for (int i = 0; i < 500; ++i) claims += ",\"c" + std::to_string(i) + "\":" + std::to_string(i);
  EXPECT_EQ(payload_reason("{" + std::string(kExp) + claims + "}"), Reason::ok);
}

}  // namespace
}  // namespace approov::test
