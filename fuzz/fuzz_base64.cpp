// Fuzz target for the strict base64 codec (approov::base64). Properties:
//  - round trip: decode(encode(x)) == x for every alphabet and padding choice;
//  - canonical: any text that decode() accepts re-encodes to exactly itself, so there is one
//    accepted encoding per byte string (no padding games, no non-zero trailing bits);
//  - decode() never writes past `capacity` and reports -1 when the output does not fit.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "approov/base64.hpp"

namespace {

namespace b64 = approov::base64;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz_base64: invariant broken: %s\n", what);
  std::abort();
}

constexpr b64::Alphabet kAlphabets[] = {b64::Alphabet::standard, b64::Alphabet::url,
                                        b64::Alphabet::either};
constexpr b64::Padding kPaddings[] = {b64::Padding::forbidden, b64::Padding::optional,
                                      b64::Padding::required};

bool padding_allows(b64::Padding padding, bool padded, std::size_t chars) {
  switch (padding) {
    case b64::Padding::forbidden:
      return !padded;
    case b64::Padding::optional:
      return true;
    case b64::Padding::required:
      return padded || chars % 4 == 0;
  }
  return false;
}

bool alphabet_allows(b64::Alphabet decoding, b64::Alphabet encoded) {
  return decoding == b64::Alphabet::either || decoding == encoded;
}

// Decodes into a heap buffer of exactly `capacity` bytes, so ASan sees any overrun.
std::ptrdiff_t decode_exact(std::string_view text, b64::Alphabet alphabet, b64::Padding padding,
                            std::size_t capacity, std::vector<std::uint8_t>& out) {
  out.assign(capacity, 0);
  auto* buffer = new std::uint8_t[capacity == 0 ? 1 : capacity];
  const std::ptrdiff_t n = b64::decode(text, alphabet, padding, buffer, capacity);
  if (n > 0) out.assign(buffer, buffer + n);
  delete[] buffer;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> out;

  // Round trip of arbitrary bytes.
  for (const b64::Alphabet encoded : {b64::Alphabet::standard, b64::Alphabet::url}) {
    for (const bool pad : {false, true}) {
      const std::string text = b64::encode(data, size, encoded, pad);
      for (const b64::Alphabet alphabet : kAlphabets) {
        for (const b64::Padding padding : kPaddings) {
          const bool allowed =
              alphabet_allows(alphabet, encoded) && padding_allows(padding, pad, text.size());
          const std::ptrdiff_t n = decode_exact(text, alphabet, padding, size, out);
          if (!allowed) continue;
          // `either` may pick the other alphabet when no character tells them apart, which
          // decodes the same.
          require(n == static_cast<std::ptrdiff_t>(size), "round trip size");
          require(size == 0 || std::memcmp(out.data(), data, size) == 0, "round trip bytes");
          if (size > 0) {
            require(decode_exact(text, alphabet, padding, size - 1, out) == -1,
                    "output larger than capacity is refused");
          }
        }
      }
    }
  }

  // Canonical decoding: what is accepted re-encodes to the same text.
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool padded = !text.empty() && text.back() == '=';
  const bool url_chars = text.find_first_of("-_") != std::string_view::npos;
  for (const b64::Alphabet alphabet : kAlphabets) {
    for (const b64::Padding padding : kPaddings) {
      const std::ptrdiff_t n =
          decode_exact(text, alphabet, padding, b64::max_decoded_size(size), out);
      if (n < 0) continue;
      require(static_cast<std::size_t>(n) <= b64::max_decoded_size(size), "max_decoded_size");
      const b64::Alphabet used = alphabet == b64::Alphabet::either
                                     ? (url_chars ? b64::Alphabet::url : b64::Alphabet::standard)
                                     : alphabet;
      const bool pad = padded;  // unpadded input that is accepted needs no padding
      const std::string again = b64::encode(out.data(), static_cast<std::size_t>(n), used, pad);
      require(again == text, "accepted text is canonical");
    }
  }
  return 0;
}
