// The derived components of RFC 9421 §2.2 (src/signing/components.cpp), with the RFC's own
// examples where it gives them.
#include <gtest/gtest.h>

#include <string>

#include "signing/components.hpp"

namespace approov::signing {
namespace {

std::string authority(std::string_view a, std::string_view scheme) {
  char out[256];
  const std::size_t n = normalize_authority(a, scheme, out, sizeof out);
  if (n == kNoRoom) return "<no room>";
  return std::string(out, n);
}

std::string param(std::string_view query, std::string_view name) {
  char out[1024];
  const std::size_t n = query_param(query, name, out, sizeof out);
  if (n == kParamAbsent) return "<absent>";
  if (n == kParamRepeated) return "<repeated>";
  if (n == kNoRoom) return "<no room>";
  return std::string(out, n);
}

TEST(Components, SplitTarget) {
  const auto a = split_target("/path?param=value");
  EXPECT_EQ(a.path, "/path");
  EXPECT_EQ(a.query, "param=value");
  EXPECT_TRUE(a.has_query);
  const auto b = split_target("/path");
  EXPECT_FALSE(b.has_query);
  const auto c = split_target("/path?");
  EXPECT_TRUE(c.has_query);
  EXPECT_EQ(c.query, "");
  EXPECT_EQ(split_target("/a?b?c").query, "b?c");
}

TEST(Components, AuthorityIsLowercasedWithoutTheDefaultPort) {
  EXPECT_EQ(authority("www.example.com", "https"), "www.example.com");  // RFC 9421 §2.2.3
  EXPECT_EQ(authority("WWW.Example.COM", "https"), "www.example.com");
  EXPECT_EQ(authority("example.com:443", "https"), "example.com");
  EXPECT_EQ(authority("example.com:80", "http"), "example.com");
  EXPECT_EQ(authority("example.com:80", "https"), "example.com:80");
  EXPECT_EQ(authority("example.com:8443", "https"), "example.com:8443");
  EXPECT_EQ(authority("[::1]:443", "https"), "[::1]");
  EXPECT_EQ(authority("[2001:DB8::1]:8080", "http"), "[2001:db8::1]:8080");
  for (const char* bad : {"", "user@example.com", ":443", "example.com:x", "example.com:65536",
                          "::1", "[::1", "[::1]x", "example.com:123456"}) {
    EXPECT_EQ(authority(bad, "https"), "") << bad;
  }
  char tiny[4];
  EXPECT_EQ(normalize_authority("example.com", "https", tiny, sizeof tiny), kNoRoom);
}

TEST(Components, QueryParamsFromRfc9421) {
  // RFC 9421 §2.2.8, first example.
  const std::string_view q = "param=value&foo=bar&baz=batman&qux=";
  EXPECT_EQ(param(q, "baz"), "batman");
  EXPECT_EQ(param(q, "qux"), "");
  EXPECT_EQ(param(q, "param"), "value");
  EXPECT_EQ(param(q, "nope"), "<absent>");
  // RFC 9421 §2.2.8, second example: decoded, then re-encoded with %20 for spaces.
  const std::string_view q2 =
      "var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&"
      "fa%C3%A7ade%22%3A%20=something";
  EXPECT_EQ(param(q2, "var"), "this%20is%20a%20big%0Amultiline%20value");
  EXPECT_EQ(param(q2, "bar"), "with%20plus%20whitespace");
  EXPECT_EQ(param(q2, "fa%C3%A7ade%22%3A%20"), "something");
}

TEST(Components, QueryParamEdgeCases) {
  EXPECT_EQ(param("a=1&a=2", "a"), "<repeated>");
  EXPECT_EQ(param("a=1&%61=2", "a"), "<repeated>");  // the same name once decoded
  EXPECT_EQ(param("a", "a"), "");                    // no '=': an empty value
  EXPECT_EQ(param("&&a=1&&", "a"), "1");
  EXPECT_EQ(param("a=x=y", "a"), "x%3Dy");
  EXPECT_EQ(param("a=%zz%4", "a"), "%25zz%254");  // a lone '%' stays, then is encoded
  EXPECT_EQ(param("a=~!'()", "a"), "%7E%21%27%28%29");
  EXPECT_EQ(param("a=AZaz09*-._", "a"), "AZaz09*-._");
  EXPECT_EQ(param("a=%C3%A9", "a"), "%C3%A9");
  // Invalid UTF-8 after decoding: one U+FFFD per maximal invalid subsequence (WHATWG).
  EXPECT_EQ(param("a=%FF", "a"), "%EF%BF%BD");
  EXPECT_EQ(param("a=%E2%82x", "a"), "%EF%BF%BDx");
  EXPECT_EQ(param("a=%ED%A0%80", "a"), "%EF%BF%BD%EF%BF%BD%EF%BF%BD");  // a surrogate
  EXPECT_EQ(param("a=%F0%9F%98%80", "a"), "%F0%9F%98%80");
  EXPECT_EQ(param("", "a"), "<absent>");
}

}  // namespace
}  // namespace approov::signing
