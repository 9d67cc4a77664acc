// Fuzz target for the strict base64 codec (approov::base64). Properties:
//  - agreement with a plain reference decoder written here from the documented rules, in
//    both directions and for every alphabet, padding mode and a capacity just large enough
//    or one byte short: decode() accepts exactly what the reference accepts (so a text in a
//    mode the caller refused, such as padding where it is forbidden, a missing one where it
//    is required, or the other alphabet, is rejected) and yields the same bytes;
//  - round trip: decode(encode(x)) == x for every alphabet and padding choice that allows
//    the encoding (and the reference's verdict for every other choice);
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

// The documented rules, one at a time, without the library's tables or shortcuts.
bool reference(std::string_view text, b64::Alphabet alphabet, b64::Padding padding,
               std::size_t capacity, std::vector<std::uint8_t>& out) {
  out.clear();
  std::size_t pad = 0;
  while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  const std::string_view body = text.substr(0, text.size() - pad);
  if (pad > 2) return false;
  if (pad > 0) {
    if (padding == b64::Padding::forbidden) return false;
    if (text.size() % 4 != 0 || body.size() % 4 + pad != 4) return false;
  } else if (padding == b64::Padding::required && body.size() % 4 != 0) {
    return false;
  }
  if (body.size() % 4 == 1) return false;
  static constexpr std::string_view kCommon =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  bool standard_only = false, url_only = false;
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (const char c : body) {
    std::uint32_t v;
    if (const std::size_t i = kCommon.find(c); i != std::string_view::npos) {
      v = static_cast<std::uint32_t>(i);
    } else if (c == '+' || c == '/') {
      standard_only = true;
      v = c == '+' ? 62 : 63;
    } else if (c == '-' || c == '_') {
      url_only = true;
      v = c == '-' ? 62 : 63;
    } else {
      return false;
    }
    bits = (bits << 6) | v;
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<std::uint8_t>(bits >> bit_count));
      bits &= (1u << bit_count) - 1;
    }
  }
  if (bits != 0) return false;  // non-zero unused bits: not canonical
  switch (alphabet) {
    case b64::Alphabet::standard:
      if (url_only) return false;
      break;
    case b64::Alphabet::url:
      if (standard_only) return false;
      break;
    case b64::Alphabet::either:
      if (standard_only && url_only) return false;
      break;
  }
  return out.size() <= capacity;
}

void agree(std::string_view text) {
  std::vector<std::uint8_t> expected, got;
  for (const b64::Alphabet alphabet : kAlphabets) {
    for (const b64::Padding padding : kPaddings) {
      const bool ok = reference(text, alphabet, padding, SIZE_MAX, expected);
      const std::size_t size = expected.size();
      for (const std::size_t capacity :
           {size, size == 0 ? std::size_t{0} : size - 1, b64::max_decoded_size(text.size())}) {
        const bool fits = ok && size <= capacity;
        const std::ptrdiff_t n = decode_exact(text, alphabet, padding, capacity, got);
        if (!fits) {
          require(n == -1, "decode accepts what the rules refuse");
          continue;
        }
        require(n == static_cast<std::ptrdiff_t>(size), "decode refuses what the rules accept");
        require(size == 0 || std::memcmp(got.data(), expected.data(), size) == 0,
                "decode and the reference disagree on the bytes");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> out;

  // Round trip of arbitrary bytes.
  for (const b64::Alphabet encoded : {b64::Alphabet::standard, b64::Alphabet::url}) {
    for (const bool pad : {false, true}) {
      const std::string text = b64::encode(data, size, encoded, pad);
      agree(text);
      for (const b64::Alphabet alphabet : kAlphabets) {
        for (const b64::Padding padding : kPaddings) {
          const bool allowed =
              alphabet_allows(alphabet, encoded) && padding_allows(padding, pad, text.size());
          const std::ptrdiff_t n = decode_exact(text, alphabet, padding, size, out);
          // A text with no character that tells the alphabets apart, or no '=', may be in
          // the other mode too: agree() above judged every mode exactly.
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

  // The input as text: exactly the reference's verdict, whatever the mode.
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  agree(text);

  // Canonical decoding: what is accepted re-encodes to the same text.
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
