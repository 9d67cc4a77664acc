// The request-target normalisation and the path readings (core/uri.hpp): each rule that keeps
// a path from matching a more lenient route than the resource it reaches.
#include "core/uri.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace approov::authd {
namespace {

// The normalized path, or "REFUSED: why".
std::string norm(std::string_view target) {
  std::string out = "stale";
  const char* why = normalize_path_why(target, out);
  return why == nullptr ? out : "REFUSED: " + std::string(why);
}

bool refused(std::string_view target) {
  std::string out;
  return !normalize_path(target, out);
}

TEST(Uri, QueryAndFragmentAreDropped) {
  EXPECT_EQ(norm("/api/x?q=1"), "/api/x");
  EXPECT_EQ(norm("/api/x#frag"), "/api/x");
  EXPECT_EQ(norm("/api?a=1;b=2"), "/api");  // a `;` in the query is not a path parameter
  EXPECT_EQ(norm("/api?x=%zz"), "/api");    // nor is an escape there read
  EXPECT_EQ(norm("/?"), "/");
}

TEST(Uri, OnlyOriginFormPathsAreAccepted) {
  for (std::string_view t : {"", "api", "*", "http://host/api", "?q=1", "#f", "%2Fapi"}) {
    EXPECT_TRUE(refused(t)) << t;
  }
  EXPECT_EQ(norm("api"), "REFUSED: not a path starting with /");
}

TEST(Uri, EscapesAreDecodedAndSlashesMerged) {
  EXPECT_EQ(norm("/%70ublic/x"), "/public/x");
  EXPECT_EQ(norm("/%41%62%63"), "/Abc");  // both cases of hex digits
  EXPECT_EQ(norm("/%4a%4A"), "/JJ");
  EXPECT_EQ(norm("//public//x"), "/public/x");
  EXPECT_EQ(norm("///"), "/");
  EXPECT_EQ(norm("/a/"), "/a/");  // a trailing slash stays: matching covers it
  EXPECT_EQ(norm("/caf%C3%A9"), "/caf\xC3\xA9");
  EXPECT_EQ(norm("/x/a%25b"), "/x/a%b");  // a lone percent sign is just data
}

TEST(Uri, BadEscapesAreRefused) {
  for (std::string_view t : {"/public/%zz", "/a%", "/a%2", "/a%g0", "/a%0g", "/%"}) {
    EXPECT_EQ(norm(t), "REFUSED: a bad percent-escape") << t;
  }
}

TEST(Uri, EncodedSeparatorsAreRefused) {
  for (std::string_view t : {"/public%2F..%2Fapi", "/a%2fb", "/a%5Cb", "/a%5cb"}) {
    EXPECT_EQ(norm(t), "REFUSED: an encoded / or \\ (%2F, %5C)") << t;
  }
}

TEST(Uri, BackslashesAndControlBytesAreRefused) {
  EXPECT_EQ(norm("/public\\x"), "REFUSED: a backslash");
  for (std::string_view t : {"/a%00", "/a%1F", "/a%7F", "/a%0A", "/a%09b"}) {
    EXPECT_EQ(norm(t), "REFUSED: a control byte") << t;
  }
  EXPECT_EQ(norm(std::string_view("/a\0b", 4)), "REFUSED: a control byte");
  EXPECT_EQ(norm("/a\tb"), "REFUSED: a control byte");
  EXPECT_EQ(norm("/a\x7f"), "REFUSED: a control byte");
}

TEST(Uri, PathParametersAreRefusedRawOrEncoded) {
  for (std::string_view t : {"/api;x/secret", "/api;/secret", "/api;jsessionid=1",
                             "/api%3Bx/secret", "/api%3b/x", "/x;y", "/;"}) {
    EXPECT_EQ(norm(t), "REFUSED: a ; (path parameters)") << t;
  }
}

TEST(Uri, DotSegmentsAreRefusedRawOrEncoded) {
  for (std::string_view t : {"/public/../api", "/public/%2e%2e/api", "/public/./x", "/.", "/..",
                             "/a/%2E", "/a/.%2e/b", "//../x"}) {
    EXPECT_EQ(norm(t), "REFUSED: a . or .. dot segment") << t;
  }
  EXPECT_EQ(norm("/a/.well-known/x"), "/a/.well-known/x");  // a dot inside a segment is data
  EXPECT_EQ(norm("/a/...b"), "/a/...b");
}

TEST(Uri, SegmentsEndingInADotOrASpaceAreRefused) {
  for (std::string_view t :
       {"/api.", "/api%2e", "/api%2E", "/api%20", "/api./x", "/api%20/x", "/x/y...", "/a /b"}) {
    EXPECT_EQ(norm(t), "REFUSED: a segment ending in a dot or a space") << t;
  }
  EXPECT_EQ(norm("/a%20b"), "/a b");  // a space inside a segment is data
}

TEST(Uri, EscapesEncodedTwiceAreRefused) {
  for (std::string_view t : {"/%2561pi", "/a%25%32%46b", "/a%2541", "/a%25ff", "/a%25Ab"}) {
    EXPECT_EQ(norm(t), "REFUSED: a percent-escape encoded twice (%25 before two hex digits)") << t;
  }
  EXPECT_EQ(norm("/a%25zz"), "/a%zz");  // %25 before non-hex: read alike everywhere
  EXPECT_EQ(norm("/a%25a"), "/a%a");    // only one digit follows
  EXPECT_EQ(norm("/a%25"), "/a%");
}

TEST(Uri, OutputBufferIsReused) {
  std::string out;
  ASSERT_TRUE(normalize_path("/a/much/longer/path/than/the/next", out));
  const auto capacity = out.capacity();
  ASSERT_TRUE(normalize_path("/b", out));
  EXPECT_EQ(out, "/b");
  EXPECT_EQ(out.capacity(), capacity);
}

// ---- readings --------------------------------------------------------------------------

constexpr Reading kExact{false, false};
constexpr Reading kAnyCase{true, false};
constexpr Reading kSuffix{false, true};
constexpr Reading kAnyCaseSuffix{true, true};

// The paths among `paths` that `prefix` covers under `reading`, space-separated.
std::string covered(std::string_view prefix, Reading reading,
                    std::initializer_list<std::string_view> paths) {
  std::string out;
  for (std::string_view path : paths) {
    if (!covers(prefix, path, reading)) continue;
    if (!out.empty()) out += ' ';
    out += path;
  }
  return out;
}

TEST(Uri, CoversWholeSegmentsOnly) {
  EXPECT_EQ(covered("/api", kExact, {"/api", "/api/", "/api/x/y", "/apix", "/ap"}),
            "/api /api/ /api/x/y");
  EXPECT_EQ(covered("/api/x", kExact, {"/api", "/api/x"}), "/api/x");
  EXPECT_EQ(covered("/", kExact, {"/anything", "/"}), "/anything /");
}

TEST(Uri, CaseMattersOnlyInTheAnyCaseReading) {
  EXPECT_EQ(covered("/api", kExact, {"/API/x", "/Api"}), "");
  EXPECT_EQ(covered("/Admin", kExact, {"/admin"}), "");
  EXPECT_EQ(covered("/api", kAnyCase, {"/API/x", "/Api", "/APIX"}), "/API/x /Api");
  EXPECT_EQ(covered("/Admin", kAnyCase, {"/aDMIN"}), "/aDMIN");
  // ASCII only: a non-ASCII byte never equals an ASCII letter in any case
  EXPECT_EQ(covered("/api", kAnyCase, {"/ap\xC4\xB1"}), "");
}

TEST(Uri, SuffixReading) {
  const std::initializer_list<std::string_view> paths = {"/api.json",   "/api.x.y/", "/api.",
                                                         "/api.json/x", "/apijson",  "/API.json"};
  EXPECT_EQ(covered("/api", kExact, paths), "");
  // a final slash still, but the suffix is the last segment
  EXPECT_EQ(covered("/api", kSuffix, paths), "/api.json /api.x.y/ /api.");
  EXPECT_EQ(covered("/api", kAnyCaseSuffix, paths), "/api.json /api.x.y/ /api. /API.json");
  EXPECT_EQ(covered("/a", kAnyCase, {"/A/b.json"}), "/A/b.json");  // through the /a segment
}

TEST(Uri, FoldingToAscii) {
  std::string out = "untouched";
  EXPECT_FALSE(fold_to_ascii("/plain/ascii", out));
  EXPECT_EQ(out, "untouched");                       // ASCII paths return at once
  EXPECT_FALSE(fold_to_ascii("/caf\xC3\xA9", out));  // no folding character

  struct Case {
    std::string_view path;
    std::string_view folded;
  };
  for (const Case& c : {Case{"/ap\xC4\xB1", "/api"},         // dotless i
                        Case{"/AP\xC4\xB0/x", "/APi/x"},     // dotted capital I
                        Case{"/a\xC5\xBFx", "/asx"},         // long s
                        Case{"/cla\xC3\x9F", "/class"},      // sharp s
                        Case{"/CLA\xE1\xBA\x9E", "/CLAss"},  // capital sharp s
                        Case{"/\xE2\x84\xAAit", "/kit"},     // Kelvin sign
                        Case{"/\xEF\xAC\x80", "/ff"},        // U+FB00
                        Case{"/\xEF\xAC\x81le", "/file"},    // U+FB01
                        Case{"/\xEF\xAC\x82", "/fl"},        // U+FB02
                        Case{"/\xEF\xAC\x83", "/ffi"},       // U+FB03
                        Case{"/\xEF\xAC\x84", "/ffl"},       // U+FB04
                        Case{"/\xEF\xAC\x85", "/st"},        // U+FB05
                        Case{"/\xEF\xAC\x86u\xEF\xAC\x80", "/stuff"},
                        Case{"/caf\xC3\xA9/\xC4\xB1", "/caf\xC3\xA9/i"}}) {  // others kept
    ASSERT_TRUE(fold_to_ascii(c.path, out)) << c.path;
    EXPECT_EQ(out, c.folded) << c.path;
  }
  // A truncated sequence is not a folding character.
  EXPECT_FALSE(fold_to_ascii("/a\xC4", out));
  EXPECT_FALSE(fold_to_ascii("/a\xEF\xAC", out));
}

}  // namespace
}  // namespace approov::authd
