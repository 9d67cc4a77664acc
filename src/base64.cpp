#include "approov/base64.hpp"

#include <array>

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

std::string encode(const void* data, std::size_t size, Alphabet alphabet, bool pad) {
  const char* chars = alphabet == Alphabet::url ? kUrl : kStandard;
  const auto* p = static_cast<const std::uint8_t*>(data);
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
    out += chars[v >> 18];
    out += chars[(v >> 12) & 63];
    out += chars[(v >> 6) & 63];
    out += chars[v & 63];
  }
  if (size - i == 1) {
    const std::uint32_t v = std::uint32_t{p[i]} << 16;
    out += chars[v >> 18];
    out += chars[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (size - i == 2) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8);
    out += chars[v >> 18];
    out += chars[(v >> 12) & 63];
    out += chars[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

}  // namespace approov::base64
