// approov::base64: the strict RFC 4648 codec behind docs/BEHAVIOUR.md §3 (token segments), §4
// (secrets) and §5 (`pay`).
#include <cstring>
#include <string>

#include "test_support.hpp"

namespace approov::test {
namespace {

using base64::Alphabet;
using base64::Padding;

// Decodes into a std::string, or "<error>".
std::string decode(std::string_view in, Alphabet alphabet, Padding padding,
                   std::size_t capacity = 1024) {
  std::string out(capacity, '\0');
  const auto n =
      base64::decode(in, alphabet, padding, reinterpret_cast<std::uint8_t*>(out.data()), capacity);
  if (n < 0) return "<error>";
  out.resize(static_cast<std::size_t>(n));
  return out;
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64::encode(plain, std::strlen(plain), Alphabet::standard, true), encoded);
    EXPECT_EQ(decode(encoded, Alphabet::standard, Padding::required), plain);
    EXPECT_EQ(decode(encoded, Alphabet::standard, Padding::optional), plain);
    std::string unpadded(encoded);
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
    EXPECT_EQ(base64::encode_url(plain), unpadded);
    EXPECT_EQ(decode(unpadded, Alphabet::url, Padding::forbidden), plain);
    EXPECT_EQ(decode(unpadded, Alphabet::url, Padding::optional), plain);
    if (unpadded != encoded) {
      EXPECT_EQ(decode(encoded, Alphabet::url, Padding::forbidden), "<error>") << encoded;
      EXPECT_EQ(decode(unpadded, Alphabet::standard, Padding::required), "<error>") << encoded;
    }
  }
}

TEST(Base64, RoundTripsEveryLengthAndByte) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    for (Alphabet a : {Alphabet::standard, Alphabet::url}) {
      const std::string padded = base64::encode(bytes.data(), bytes.size(), a, true);
      const std::string bare = base64::encode(bytes.data(), bytes.size(), a, false);
      EXPECT_EQ(decode(padded, a, Padding::required), bytes);
      EXPECT_EQ(decode(bare, a, Padding::optional), bytes);
      EXPECT_EQ(decode(bare, a, Padding::forbidden), bytes);
      EXPECT_EQ(decode(padded, Alphabet::either, Padding::optional), bytes);
    }
    bytes += static_cast<char>(i * 37 + 11);
  }
}

TEST(Base64, AlphabetsAreNotMixed) {
  // 0xFB 0xFF -> "+/8" (standard) / "-_8" (url).
  const std::string bytes = "\xFB\xFF";
  EXPECT_EQ(base64::encode(bytes.data(), 2, Alphabet::standard, false), "+/8");
  EXPECT_EQ(decode("+/8", Alphabet::standard, Padding::optional), bytes);
  EXPECT_EQ(decode("-_8", Alphabet::url, Padding::optional), bytes);
  EXPECT_EQ(decode("-_8", Alphabet::standard, Padding::optional), "<error>");
  EXPECT_EQ(decode("+/8", Alphabet::url, Padding::optional), "<error>");
  EXPECT_EQ(decode("+/8", Alphabet::either, Padding::optional), bytes);
  EXPECT_EQ(decode("-_8", Alphabet::either, Padding::optional), bytes);
  EXPECT_EQ(decode("+_8", Alphabet::either, Padding::optional), "<error>");
  EXPECT_EQ(decode("-/8", Alphabet::either, Padding::optional), "<error>");
}

TEST(Base64, NonCanonicalAndMalformedInputIsRejected) {
  EXPECT_EQ(decode("Zh==", Alphabet::standard, Padding::required), "<error>");  // trailing bits
  EXPECT_EQ(decode("Zm9=", Alphabet::standard, Padding::required), "<error>");
  EXPECT_EQ(decode("Zh", Alphabet::url, Padding::forbidden), "<error>");
  EXPECT_EQ(decode("Z", Alphabet::url, Padding::forbidden), "<error>");  // remainder 1
  EXPECT_EQ(decode("Zm9vY", Alphabet::url, Padding::forbidden), "<error>");
  EXPECT_EQ(decode("Z===", Alphabet::standard, Padding::required), "<error>");
  EXPECT_EQ(decode("Zg=", Alphabet::standard, Padding::optional), "<error>");  // short padding
  EXPECT_EQ(decode("Zg===", Alphabet::standard, Padding::optional), "<error>");
  EXPECT_EQ(decode("Zm9v====", Alphabet::standard, Padding::optional), "<error>");
  EXPECT_EQ(decode("Zg==Zg==", Alphabet::standard, Padding::optional), "<error>");  // inside
  EXPECT_EQ(decode("Zm 9v", Alphabet::standard, Padding::optional), "<error>");
  EXPECT_EQ(decode("Zm9v\n", Alphabet::standard, Padding::optional), "<error>");
  EXPECT_EQ(decode(std::string_view("Zm\0v", 4), Alphabet::standard, Padding::optional), "<error>");
  EXPECT_EQ(decode("Zm9v", Alphabet::standard, Padding::required), "foo");
  EXPECT_EQ(decode("", Alphabet::standard, Padding::required), "");
}

TEST(Base64, CapacityIsRespected) {
  EXPECT_EQ(decode("Zm9vYmFy", Alphabet::standard, Padding::optional, 6), "foobar");
  EXPECT_EQ(decode("Zm9vYmFy", Alphabet::standard, Padding::optional, 5), "<error>");
  EXPECT_EQ(decode("Zm9vYg", Alphabet::url, Padding::forbidden, 4), "foob");
  EXPECT_EQ(decode("Zm9vYg", Alphabet::url, Padding::forbidden, 3), "<error>");
  EXPECT_GE(base64::max_decoded_size(8), 6U);
  EXPECT_GE(base64::max_decoded_size(43), 32U);
}

}  // namespace
}  // namespace approov::test
