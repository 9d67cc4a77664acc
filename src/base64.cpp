#include "approov/base64.hpp"

#include <array>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define APPROOV_BASE64_AVX2 1
#endif

namespace approov::base64 {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_table(const char* alphabet) {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = i;
  return table;
}

constexpr auto kStandardTable = make_table(kStandard);
constexpr auto kUrlTable = make_table(kUrl);

// The same tables with each 6-bit value pre-shifted to its place in a 24-bit quantum, one per
// position in a group of four characters, so a group decodes with four loads and three ORs.
// Invalid characters map to kBad, a bit no valid combination sets.
constexpr std::uint32_t kBad = 0x80000000u;
struct ShiftedTables {
  std::uint32_t at[4][256];
};
constexpr ShiftedTables make_shifted(const std::array<std::uint8_t, 256>& table) {
  ShiftedTables t{};
  for (int c = 0; c < 256; ++c) {
    const std::uint32_t v = table[static_cast<std::size_t>(c)];
    for (int pos = 0; pos < 4; ++pos) {
      t.at[pos][c] = v == kInvalid ? kBad : v << (6 * (3 - pos));
    }
  }
  return t;
}
constexpr ShiftedTables kStandardShifted = make_shifted(kStandardTable);
constexpr ShiftedTables kUrlShifted = make_shifted(kUrlTable);

#ifdef APPROOV_BASE64_AVX2
// 0xFF in each byte of `v` that lies in [lo, hi] (signed compares: bytes >= 0x80 never do).
__attribute__((target("avx2"))) inline __m256i in_range(__m256i v, char lo, char hi) noexcept {
  return _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(static_cast<char>(lo - 1))),
                          _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(hi + 1)), v));
}

// Decodes whole 32-character blocks of s[0, n) into 24 bytes each with AVX2 (the approach of
// Mula and Lemire, with range compares so that either alphabet works: `c62`/`c63` are its two
// last characters). Stops before the first block that holds a character outside the alphabet,
// leaving it to the scalar loop, which rejects it. Returns the characters consumed.
__attribute__((target("avx2"))) std::size_t decode_blocks_avx2(const unsigned char* s,
                                                               std::size_t n, std::uint8_t* o,
                                                               char c62, char c63) noexcept {
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i in = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
    // Bytes of 0x80 and above are negative for the signed compares: in no range.
    const __m256i upper = in_range(in, 'A', 'Z');
    const __m256i lower = in_range(in, 'a', 'z');
    const __m256i digit = in_range(in, '0', '9');
    const __m256i is62 = _mm256_cmpeq_epi8(in, _mm256_set1_epi8(c62));
    const __m256i is63 = _mm256_cmpeq_epi8(in, _mm256_set1_epi8(c63));
    const __m256i valid = _mm256_or_si256(_mm256_or_si256(upper, lower),
                                          _mm256_or_si256(_mm256_or_si256(digit, is62), is63));
    if (_mm256_movemask_epi8(valid) != -1) break;
    const __m256i offset = _mm256_or_si256(
        _mm256_or_si256(_mm256_and_si256(upper, _mm256_set1_epi8(-'A')),
                        _mm256_and_si256(lower, _mm256_set1_epi8(26 - 'a'))),
        _mm256_or_si256(
            _mm256_or_si256(_mm256_and_si256(digit, _mm256_set1_epi8(52 - '0')),
                            _mm256_and_si256(is62, _mm256_set1_epi8(static_cast<char>(62 - c62)))),
            _mm256_and_si256(is63, _mm256_set1_epi8(static_cast<char>(63 - c63)))));
    const __m256i values = _mm256_add_epi8(in, offset);  // 6-bit values
    // Pairs into 12-bit, then quads into 24-bit values, one per 32-bit lane.
    const __m256i pairs = _mm256_maddubs_epi16(values, _mm256_set1_epi32(0x01400140));
    const __m256i quads = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
    // Big-endian byte order within each quantum, 12 bytes per 128-bit lane, then contiguous.
    const __m256i bytes = _mm256_shuffle_epi8(
        quads, _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2, 1, 0, 6,
                                5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
    const __m256i packed =
        _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm256_castsi256_si128(packed));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(o + 16), _mm256_extracti128_si256(packed, 1));
    o += 24;
  }
  return i;
}

bool has_avx2() noexcept {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
}
#endif

}  // namespace

std::ptrdiff_t decode(std::string_view in, Alphabet alphabet, Padding padding, std::uint8_t* out,
                      std::size_t capacity) noexcept {
  std::size_t n = in.size();
  std::size_t pad = 0;
  while (pad < 2 && n > 0 && in[n - 1] == '=') {
    --n;
    ++pad;
  }
  if (pad > 0) {
    if (padding == Padding::forbidden || in.size() % 4 != 0) return -1;
  } else if (padding == Padding::required && n % 4 != 0) {
    return -1;
  }
  const std::size_t rem = n % 4;
  if (rem == 1) return -1;
  if (pad > 0 && pad != 4 - rem) return -1;  // also rejects '=' after a full quantum
  const std::size_t out_size = n / 4 * 3 + (rem == 0 ? 0 : rem - 1);
  if (out_size > capacity) return -1;

  const std::uint8_t* table = kUrlTable.data();
  const ShiftedTables* shifted = &kUrlShifted;
  if (alphabet == Alphabet::standard) {
    table = kStandardTable.data();
    shifted = &kStandardShifted;
  } else if (alphabet == Alphabet::either) {
    // Pick the alphabet from the first character that tells them apart; the decode below then
    // rejects any character of the other one.
    table = kStandardTable.data();
    shifted = &kStandardShifted;
    for (std::size_t i = 0; i < n; ++i) {
      if (in[i] == '-' || in[i] == '_') {
        table = kUrlTable.data();
        shifted = &kUrlShifted;
        break;
      }
      if (in[i] == '+' || in[i] == '/') break;
    }
  }

  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  std::uint8_t* o = out;
  std::size_t i = 0;
  const std::size_t full = n - rem;
#ifdef APPROOV_BASE64_AVX2
  if (full >= 32 && has_avx2()) {
    const bool url = table == kUrlTable.data();
    i = decode_blocks_avx2(s, full, o, url ? '-' : '+', url ? '_' : '/');
    o += i / 4 * 3;
  }
#endif
  const auto& at = shifted->at;
  for (; i < full; i += 4) {
    const std::uint32_t v = at[0][s[i]] | at[1][s[i + 1]] | at[2][s[i + 2]] | at[3][s[i + 3]];
    if (v & kBad) return -1;
    o[0] = static_cast<std::uint8_t>(v >> 16);
    o[1] = static_cast<std::uint8_t>(v >> 8);
    o[2] = static_cast<std::uint8_t>(v);
    o += 3;
  }
  if (rem == 2) {
    const std::uint32_t a = table[s[i]], b = table[s[i + 1]];
    if (((a | b) & 0x80) || (b & 0x0F) != 0) return -1;
    *o++ = static_cast<std::uint8_t>((a << 2) | (b >> 4));
  } else if (rem == 3) {
    const std::uint32_t a = table[s[i]], b = table[s[i + 1]], c = table[s[i + 2]];
    if (((a | b | c) & 0x80) || (c & 0x03) != 0) return -1;
    *o++ = static_cast<std::uint8_t>((a << 2) | (b >> 4));
    *o++ = static_cast<std::uint8_t>((b << 4) | (c >> 2));
  }
  return static_cast<std::ptrdiff_t>(o - out);
}

std::size_t encode_into(const void* data, std::size_t size, Alphabet alphabet, bool pad, char* out,
                        std::size_t capacity) noexcept {
  const std::size_t need = encoded_size(size, pad);
  if (need > capacity) return need;
  const char* chars = alphabet == Alphabet::url ? kUrl : kStandard;
  const auto* p = static_cast<const std::uint8_t*>(data);
  std::size_t n = 0;
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
    out[n++] = chars[v >> 18];
    out[n++] = chars[(v >> 12) & 63];
    out[n++] = chars[(v >> 6) & 63];
    out[n++] = chars[v & 63];
  }
  if (size - i == 1) {
    const std::uint32_t v = std::uint32_t{p[i]} << 16;
    out[n++] = chars[v >> 18];
    out[n++] = chars[(v >> 12) & 63];
    if (pad) {
      out[n++] = '=';
      out[n++] = '=';
    }
  } else if (size - i == 2) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8);
    out[n++] = chars[v >> 18];
    out[n++] = chars[(v >> 12) & 63];
    out[n++] = chars[(v >> 6) & 63];
    if (pad) out[n++] = '=';
  }
  return n;
}

std::string encode(const void* data, std::size_t size, Alphabet alphabet, bool pad) {
  std::string out(encoded_size(size, pad), '\0');
  (void)encode_into(data, size, alphabet, pad, out.data(), out.size());
  return out;
}

}  // namespace approov::base64
