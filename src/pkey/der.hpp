// A strict DER reader for the few structures a public key arrives in (SubjectPublicKeyInfo,
// PKCS#1 RSAPublicKey): definite, minimal lengths only, no BER. Allocation-free; views point
// into the caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace approov::detail::der {

inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kBitString = 0x03;
inline constexpr std::uint8_t kNull = 0x05;
inline constexpr std::uint8_t kOid = 0x06;
inline constexpr std::uint8_t kSequence = 0x30;

/// Bytes still to read. `read` consumes one TLV from the front.
struct Reader {
  const std::uint8_t* p = nullptr;
  const std::uint8_t* end = nullptr;

  Reader() = default;
  Reader(const std::uint8_t* data, std::size_t size) noexcept : p(data), end(data + size) {}

  [[nodiscard]] bool empty() const noexcept { return p == end; }
  [[nodiscard]] std::size_t size() const noexcept { return static_cast<std::size_t>(end - p); }
  [[nodiscard]] bool next_is(std::uint8_t tag) const noexcept { return p != end && *p == tag; }

  /// Reads one element whose tag is `tag` into `content`. False (nothing consumed) if the tag
  /// differs, the length is indefinite, not in its shortest form, or runs past the end.
  [[nodiscard]] bool read(std::uint8_t tag, Reader& content) noexcept {
    if (size() < 2 || p[0] != tag) return false;
    const std::uint8_t* q = p + 1;
    std::size_t length = *q++;
    if (length >= 0x80) {
      const std::size_t count = length & 0x7F;
      // 0x80 is BER's indefinite form; more than 3 length bytes is beyond any key here.
      if (count == 0 || count > 3 || static_cast<std::size_t>(end - q) < count || *q == 0) {
        return false;
      }
      length = 0;
      for (std::size_t i = 0; i < count; ++i) length = (length << 8) | *q++;
      if (length < 0x80) return false;  // the short form was required
    }
    if (static_cast<std::size_t>(end - q) < length) return false;
    content = Reader(q, length);
    p = q + length;
    return true;
  }

  /// True if the remaining bytes are exactly `bytes`.
  [[nodiscard]] bool equals(const std::uint8_t* bytes, std::size_t n) const noexcept {
    return size() == n && std::memcmp(p, bytes, n) == 0;
  }
};

/// Reads a DER INTEGER that must be positive, as its unsigned big-endian magnitude without the
/// sign octet. False for a negative or zero value or a non-minimal encoding.
[[nodiscard]] inline bool read_positive_integer(Reader& in, Reader& magnitude) noexcept {
  Reader v;
  if (!in.read(kInteger, v) || v.empty()) return false;
  if (v.p[0] & 0x80) return false;  // negative
  if (v.p[0] == 0) {
    // A leading zero is only there to keep the sign bit clear; anything else is not DER.
    if (v.size() == 1 || (v.p[1] & 0x80) == 0) return false;
    ++v.p;
  }
  magnitude = v;
  return true;
}

}  // namespace approov::detail::der
