// Strict RFC 4648 base64 / base64url: canonical encodings only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace approov::base64 {

enum class Alphabet : std::uint8_t {
  standard,  ///< A-Z a-z 0-9 + /
  url,       ///< A-Z a-z 0-9 - _
  either,    ///< one of the two, not mixed within one string
};

enum class Padding : std::uint8_t {
  forbidden,  ///< no '=' (JWS segments)
  optional,   ///< correct '=' padding or none
  required,   ///< correct '=' padding
};

/// Decoded size of `encoded_size` characters at most (an upper bound for buffer sizing).
[[nodiscard]] constexpr std::size_t max_decoded_size(std::size_t encoded_size) noexcept {
  return encoded_size / 4 * 3 + 2;
}

/// Decodes `in` into `out` (room for `capacity` bytes). Returns the number of bytes written,
/// or -1 if `in` is not a canonical encoding under the given rules: a character outside the
/// alphabet, wrong or misplaced padding, a length with remainder 1 mod 4, non-zero unused
/// trailing bits, or more output than `capacity`. No whitespace is accepted. Never allocates.
[[nodiscard]] std::ptrdiff_t decode(std::string_view in, Alphabet alphabet, Padding padding,
                                    std::uint8_t* out, std::size_t capacity) noexcept;

/// Length of the encoding of `size` bytes, with or without '=' padding.
[[nodiscard]] constexpr std::size_t encoded_size(std::size_t size, bool pad) noexcept {
  return pad ? (size + 2) / 3 * 4 : size / 3 * 4 + (size % 3 == 0 ? 0 : size % 3 + 1);
}

/// Encodes into `out` (room for `capacity` bytes) without allocating. Returns the length
/// written, or, when it exceeds `capacity`, the length needed (and writes nothing).
[[nodiscard]] std::size_t encode_into(const void* data, std::size_t size, Alphabet alphabet,
                                      bool pad, char* out, std::size_t capacity) noexcept;

/// Encodes with the given alphabet (`either` means standard); `pad` adds '=' padding.
[[nodiscard]] std::string encode(const void* data, std::size_t size, Alphabet alphabet, bool pad);

/// Convenience: unpadded base64url, as used by JWS.
[[nodiscard]] inline std::string encode_url(std::string_view bytes) {
  return encode(bytes.data(), bytes.size(), Alphabet::url, false);
}

}  // namespace approov::base64
