// docs/BEHAVIOUR.md §3 "exp ... compared as real numbers without truncation": the same value
// written in many JSON number forms (fraction, exponent, leading and trailing zeros, sign) must
// give the same, exactly computed answer at now = I-1, I, I+1 around its integer part I.
#include <random>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace approov::test {
namespace {

std::string strip_leading_zeros(const std::string& s) {
  const std::size_t i = s.find_first_not_of('0');
  return i == std::string::npos ? "0" : s.substr(i);
}

// Equivalent JSON spellings of the non-negative value I.F (I without leading zeros).
std::vector<std::string> spellings(const std::string& i, const std::string& f, std::mt19937& rng) {
  std::vector<std::string> out;
  out.push_back(f.empty() ? i : i + "." + f);
  out.push_back(i + "." + f + "000");
  out.push_back((f.empty() ? i : i + "." + f) + (rng() % 2 ? "e0" : "E+0"));
  const std::string s = i + f;  // all digits; value = s * 10^-len(f)
  out.push_back("0." + s + "e" + std::to_string(i.size()));
  out.push_back("0.000" + s + "E+" + std::to_string(i.size() + 3));
  out.push_back(strip_leading_zeros(s) + "e-" + std::to_string(f.size()));
  out.push_back(strip_leading_zeros(s) + "0e-" + std::to_string(f.size() + 1));
  if (i != "0") {
    out.push_back(i.substr(0, 1) + "." + i.substr(1) + f + "e" + std::to_string(i.size() - 1));
    out.push_back(i + f + "00e-" + std::to_string(f.size() + 2));
  }
  return out;
}

TEST(NumberForms, ExpIsComparedExactlyInEveryForm) {
  std::mt19937 rng(20261128);
  const TokenVerifier verifier = make_verifier();
  Claims claims;
  int checked = 0;
  for (int round = 0; round < 400; ++round) {
    const std::int64_t integer = round % 4 == 0 ? static_cast<std::int64_t>(rng() % 1000)
                                                : static_cast<std::int64_t>(rng()) * 50 +
                                                      static_cast<std::int64_t>(rng() % 50);
    std::string fraction;
    const int fraction_digits = static_cast<int>(rng() % 26);
    const bool all_zero = rng() % 3 == 0;
    for (int d = 0; d < fraction_digits; ++d) {
      fraction += all_zero ? '0' : static_cast<char>('0' + rng() % 10);
    }
    if (!all_zero && rng() % 4 == 0) fraction += std::string(rng() % 8, '0') + "1";  // tiny tail
    const bool above_integer = fraction.find_first_not_of('0') != std::string::npos;
    const std::string i = std::to_string(integer);
    for (const std::string& text : spellings(i, fraction, rng)) {
      const std::string token = mint(kHeader, payload_with_exp(text));
      ASSERT_EQ(verifier.verify(token, integer - 1, claims), Reason::ok) << text;
      EXPECT_EQ(verifier.verify(token, integer, claims),
                above_integer ? Reason::ok : Reason::expired)
          << text;
      EXPECT_EQ(verifier.verify(token, integer + 1, claims), Reason::expired) << text;
      // The negative of the value: valid at -I-1, expired at -I.
      const std::string negative = mint(kHeader, payload_with_exp("-" + text));
      EXPECT_EQ(verifier.verify(negative, -integer - 1, claims), Reason::ok) << "-" << text;
      EXPECT_EQ(verifier.verify(negative, -integer, claims), Reason::expired) << "-" << text;
      ++checked;
    }
  }
  EXPECT_GT(checked, 3000);
}

TEST(NumberForms, NbfAndIatAreComparedExactlyToo) {
  const TokenVerifier verifier = make_verifier();
  Claims claims;
  for (const char* nbf : {"1000.000000000000000000001", "1.000000000000000000000001e3",
                          "1000000000000000000000001e-21"}) {
    const std::string token =
        mint(kHeader, std::string(R"({"exp":4708683205,"nbf":)") + nbf + R"(,"iat":)" + nbf + "}");
    EXPECT_EQ(verifier.verify(token, 1000, claims), Reason::not_yet_valid) << nbf;
    EXPECT_EQ(verifier.verify(token, 1001, claims), Reason::ok) << nbf;
  }
}

}  // namespace
}  // namespace approov::test
