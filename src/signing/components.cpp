#include "components.hpp"

#include <cstdint>
#include <cstring>

#include "internal/text.hpp"

namespace approov::signing {

namespace {

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// Appends to a fixed buffer; remembers running out of room instead of writing past it.
class Out {
 public:
  Out(char* out, std::size_t capacity) noexcept : out_(out), capacity_(capacity) {}
  void put(char c) noexcept {
    if (size_ < capacity_) {
      out_[size_] = c;
    } else {
      full_ = true;
    }
    ++size_;
  }
  void put(std::string_view s) noexcept {
    for (char c : s) put(c);
  }
  [[nodiscard]] std::size_t result() const noexcept { return full_ ? kNoRoom : size_; }

 private:
  char* out_;
  std::size_t capacity_;
  std::size_t size_ = 0;
  bool full_ = false;
};

// Bytes left as they are by the application/x-www-form-urlencoded percent-encode set (WHATWG
// URL): ASCII alphanumerics and * - . _ ; everything else is percent-encoded.
bool form_safe(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '*' ||
         c == '-' || c == '.' || c == '_';
}

void put_escaped(Out& out, unsigned char c) noexcept {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.put('%');
  out.put(kHex[c >> 4]);
  out.put(kHex[c & 15]);
}

// Percent-decodes form text ('+' is a space; a '%' not followed by two hex digits stays).
// Returns the decoded size, or kNoRoom.
std::size_t form_decode(std::string_view in, char* out, std::size_t capacity) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (n == capacity) return kNoRoom;
    char c = in[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%' && i + 2 < in.size()) {
      const int hi = text::hex_digit(static_cast<unsigned char>(in[i + 1]));
      const int lo = text::hex_digit(static_cast<unsigned char>(in[i + 2]));
      if (hi >= 0 && lo >= 0) {
        c = static_cast<char>(hi * 16 + lo);
        i += 2;
      }
    }
    out[n++] = c;
  }
  return n;
}

// Encodes decoded bytes as the form percent-encode set requires, after reading them as UTF-8
// the WHATWG way: each maximal invalid subsequence becomes U+FFFD (EF BF BD).
void encode_utf8_form(std::string_view bytes, Out& out) noexcept {
  static constexpr unsigned char kReplacement[] = {0xEF, 0xBF, 0xBD};
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b < 0x80) {
      if (b == ' ') {
        out.put("%20");
      } else if (form_safe(b)) {
        out.put(static_cast<char>(b));
      } else {
        put_escaped(out, b);
      }
      ++i;
      continue;
    }
    // WHATWG UTF-8 decoder: how many continuation bytes, and the range of the first one.
    std::size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need = 2;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      need = 3;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    }
    std::size_t seen = 0;
    if (need != 0) {
      while (seen < need && i + 1 + seen < bytes.size()) {
        const auto c = static_cast<unsigned char>(bytes[i + 1 + seen]);
        const unsigned char min = seen == 0 ? lo : 0x80;
        const unsigned char max = seen == 0 ? hi : 0xBF;
        if (c < min || c > max) break;
        ++seen;
      }
    }
    if (need != 0 && seen == need) {
      for (std::size_t k = 0; k <= need; ++k)
        put_escaped(out, static_cast<unsigned char>(bytes[i + k]));
      i += need + 1;
    } else {
      // An invalid lead byte, or a sequence cut short: one U+FFFD for the lead byte and the
      // continuation bytes that were valid; the byte that broke it is read again.
      for (unsigned char r : kReplacement) put_escaped(out, r);
      i += 1 + seen;
    }
  }
}

}  // namespace

TargetParts split_target(std::string_view target) noexcept {
  TargetParts parts;
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) {
    parts.path = target;
  } else {
    parts.path = target.substr(0, q);
    parts.query = target.substr(q + 1);
    parts.has_query = true;
  }
  return parts;
}

bool is_default_port(std::string_view scheme, std::string_view port) noexcept {
  return (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
}

std::size_t normalize_authority(std::string_view authority, std::string_view scheme, char* out,
                                std::size_t capacity) noexcept {
  if (authority.empty() || authority.find('@') != std::string_view::npos) return 0;
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return 0;
    host = authority.substr(0, close + 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return 0;
      port = rest.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (host.find(':') != std::string_view::npos) return 0;  // an unbracketed IPv6 address
    }
  }
  if (host.empty()) return 0;
  std::uint64_t port_number = 0;
  if (!port.empty() && (!text::parse_uint(port, 65535, port_number) || port.size() > 5)) return 0;
  // Leading zeros would make "0443" a different text for the same port: keep the digits as
  // sent, except that a default port is dropped.
  Out o(out, capacity);
  for (char c : host) o.put(lower(c));
  if (!port.empty() && !is_default_port(scheme, port)) {
    o.put(':');
    o.put(port);
  }
  return o.result();
}

std::size_t encode_form(std::string_view decoded, char* out, std::size_t capacity) noexcept {
  Out o(out, capacity);
  encode_utf8_form(decoded, o);
  return o.result();
}

std::size_t query_param(std::string_view query, std::string_view name, char* out,
                        std::size_t capacity) noexcept {
  constexpr std::size_t kScratch = 8192;
  char decoded[kScratch];
  char encoded_name[3 * kScratch];
  std::size_t found = 0;
  std::string_view value_raw;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    const std::string_view name_raw = piece.substr(0, eq);
    const std::size_t d = form_decode(name_raw, decoded, kScratch);
    if (d == kNoRoom) return kNoRoom;
    const std::size_t e =
        encode_form(std::string_view(decoded, d), encoded_name, sizeof encoded_name);
    if (e == kNoRoom) return kNoRoom;
    if (std::string_view(encoded_name, e) != name) continue;
    if (++found > 1) return kParamRepeated;
    value_raw = eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
  }
  if (found == 0) return kParamAbsent;
  const std::size_t d = form_decode(value_raw, decoded, kScratch);
  if (d == kNoRoom) return kNoRoom;
  return encode_form(std::string_view(decoded, d), out, capacity);
}

}  // namespace approov::signing
