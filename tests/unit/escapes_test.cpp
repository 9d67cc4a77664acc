// Names and strings are compared after unescaping (docs/BEHAVIOUR.md §3 "duplicate member names
// (compared after unescaping) mean reject"): random mixtures of raw UTF-8 and \u escapes of the
// same text must be recognised as the same name, and accessors must return the unescaped text.
#include <random>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace approov::test {
namespace {

// Code points of a UTF-8 string (valid input assumed).
std::vector<std::uint32_t> code_points(const std::string& s) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    std::uint32_t cp = n == 1 ? c : c & (0x3F >> (n - 1));
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += static_cast<std::size_t>(n);
  }
  return out;
}

std::string u_escape(std::uint32_t unit, bool upper) {
  static constexpr char kLower[] = "0123456789abcdef";
  static constexpr char kUpper[] = "0123456789ABCDEF";
  const char* hex = upper ? kUpper : kLower;
  std::string out = "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += hex[(unit >> shift) & 15];
  return out;
}

// A JSON string body spelling `text`, each character raw or escaped at random.
std::string spell(const std::string& text, std::mt19937& rng) {
  std::string out;
  const std::vector<std::uint32_t> cps = code_points(text);
  std::size_t byte = 0;
  for (std::uint32_t cp : cps) {
    const std::size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    const bool must_escape = cp == '"' || cp == '\\' || cp < 0x20;
    const int choice = static_cast<int>(rng() % 3);
    if (!must_escape && choice == 0) {
      out += text.substr(byte, n);
    } else if (cp == '/' && choice == 1) {
      out += "\\/";
    } else if (cp == '\n' && choice == 1) {
      out += "\\n";
    } else if (cp < 0x10000) {
      out += u_escape(cp, rng() % 2 == 0);
    } else {
      const std::uint32_t v = cp - 0x10000;
      out += u_escape(0xD800 + (v >> 10), rng() % 2 == 0);
      out += u_escape(0xDC00 + (v & 0x3FF), rng() % 2 == 0);
    }
    byte += n;
  }
  return out;
}

const std::vector<std::string> kNames = {"exp",
                                         "sub",
                                         "a/b",
                                         "caf\xC3\xA9",
                                         "\xE2\x82\xAC"
                                         "uro",
                                         "emoji\xF0\x9F\x98\x80",
                                         "q\"uote",
                                         "back\\slash",
                                         "line\nfeed",
                                         "\xE6\x97\xA5\xE6\x9C\xAC",
                                         "x"};

TEST(Escapes, SameNameInAnySpellingIsADuplicate) {
  std::mt19937 rng(7);
  const TokenVerifier verifier = make_verifier();
  Claims claims;
  for (int round = 0; round < 300; ++round) {
    const std::string& name = kNames[rng() % kNames.size()];
    const std::string a = spell(name, rng), b = spell(name, rng);
    const std::string payload = name == "exp"
                                    ? "{\"" + a + "\":4708683205,\"" + b + "\":4708683205}"
                                    : "{\"exp\":4708683205,\"" + a + "\":1,\"" + b + "\":2}";
    EXPECT_EQ(verifier.verify(mint(kHeader, payload), kNow, claims), Reason::bad_json) << payload;
  }
}

TEST(Escapes, DifferentNamesInAnySpellingAreNot) {
  std::mt19937 rng(11);
  const TokenVerifier verifier = make_verifier();
  Claims claims;
  for (int round = 0; round < 300; ++round) {
    const std::size_t i = rng() % kNames.size();
    const std::size_t j = (i + 1 + rng() % (kNames.size() - 1)) % kNames.size();
    if (kNames[i] == "exp" || kNames[j] == "exp") continue;
    const std::string payload = "{\"exp\":4708683205,\"" + spell(kNames[i], rng) + "\":1,\"" +
                                spell(kNames[j], rng) + "\":2}";
    ASSERT_EQ(verifier.verify(mint(kHeader, payload), kNow, claims), Reason::ok) << payload;
    EXPECT_EQ(claims.claim_json(kNames[i]), "1") << payload;
    EXPECT_EQ(claims.claim_json(kNames[j]), "2") << payload;
  }
}

TEST(Escapes, StringClaimsAreReturnedUnescaped) {
  std::mt19937 rng(13);
  const TokenVerifier verifier = make_verifier();
  Claims claims;
  for (int round = 0; round < 300; ++round) {
    const std::string& value = kNames[rng() % kNames.size()];
    const std::string payload = "{\"" + spell("exp", rng) + "\":4708683205,\"" + spell("sub", rng) +
                                "\":\"" + spell(value, rng) + "\",\"" + spell("ip", rng) + "\":\"" +
                                spell(value + value, rng) + "\"}";
    ASSERT_EQ(verifier.verify(mint(kHeader, payload), kNow, claims), Reason::ok) << payload;
    EXPECT_EQ(claims.sub(), value) << payload;
    EXPECT_EQ(claims.ip(), value + value) << payload;
  }
}

}  // namespace
}  // namespace approov::test
