// Fuzz target for the RFC 9651 structured-field parser and serializer (src/sf/), called
// directly. The input is parsed as a List, a Dictionary and an Item. Checks, besides the
// absence of crashes and sanitizer reports:
//  - every key and value view lies inside the input;
//  - a failed parse leaves the arena as it was and the output empty;
//  - what parses serializes (parsed values are always representable), and the serialization is
//    canonical: it parses again, without duplicates, to the same values (compared decoded), and
//    serializes to exactly itself (parse -> serialize -> parse is a fixed point);
//  - refusing duplicates fails exactly when duplicates were reported;
//  - serializing into a buffer one byte short reports no_room with the full size and writes
//    nothing past its capacity;
//  - the decoders stay within their bounds (a String/Display String never grows; a Byte
//    Sequence fits base64::max_decoded_size) and agree with string_equals().
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "approov/base64.hpp"
#include "sf/structured_fields.hpp"

namespace {

namespace sf = approov::sf;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz_structured_fields: invariant broken: %s\n", what);
  std::abort();
}

enum class Kind { list, dictionary, item };

// Large enough that an 8 KiB input never runs out ("a,a,..." has 4096 members).
using Arena = sf::FixedArena<4200, 4200, 4200>;

struct Parsed {
  sf::Result result;
  sf::List list;
  sf::Dictionary dict;
  sf::Item item;
};

Parsed parse(Kind kind, std::string_view text, Arena& arena, bool reject_duplicates = false) {
  Parsed p;
  sf::ParseOptions options;
  options.reject_duplicates = reject_duplicates;
  options.max_size = sf::kMaxFieldSize * 2;  // canonical text may be longer than the input
  switch (kind) {
    case Kind::list:
      p.result = sf::parse_list(text, arena, p.list, options);
      break;
    case Kind::dictionary:
      p.result = sf::parse_dictionary(text, arena, p.dict, options);
      break;
    case Kind::item:
      p.result = sf::parse_item(text, arena, p.item, options);
      break;
  }
  return p;
}

sf::Written serialize(Kind kind, const Parsed& p, char* out, std::size_t capacity) {
  switch (kind) {
    case Kind::list:
      return sf::serialize_list(p.list, out, capacity);
    case Kind::dictionary:
      return sf::serialize_dictionary(p.dict, out, capacity);
    case Kind::item:
      return sf::serialize_item(p.item, out, capacity);
  }
  return {};
}

struct Checker {
  std::string_view input;
  bool inside(std::string_view v) const {
    if (v.empty()) return true;
    return v.data() >= input.data() && v.data() + v.size() <= input.data() + input.size();
  }

  void bare(const sf::BareItem& v) const {
    require(inside(v.text), "value text inside the input");
    static char text[sf::kMaxFieldSize * 2];
    static std::uint8_t bytes[sf::kMaxFieldSize * 2];
    switch (v.type) {
      case sf::Type::string: {
        const std::ptrdiff_t n = sf::decode_string(v, text, sizeof text);
        require(n >= 0 && static_cast<std::size_t>(n) <= v.text.size(), "string never grows");
        require(v.encoded || static_cast<std::size_t>(n) == v.text.size(), "plain string");
        require(sf::string_equals(v, std::string_view(text, static_cast<std::size_t>(n))),
                "string equals its decoded form");
        if (n > 0)
          require(sf::decode_string(v, text, static_cast<std::size_t>(n) - 1) < 0,
                  "string decode respects capacity");
        break;
      }
      case sf::Type::byte_sequence: {
        const std::ptrdiff_t n = sf::decode_byte_sequence(v, bytes, sizeof bytes);
        require(n >= 0, "parsed byte sequence decodes");
        require(static_cast<std::size_t>(n) <= approov::base64::max_decoded_size(v.text.size()),
                "byte sequence size bound");
        if (n > 0)
          require(sf::decode_byte_sequence(v, bytes, static_cast<std::size_t>(n) - 1) < 0,
                  "byte sequence decode respects capacity");
        break;
      }
      case sf::Type::display_string: {
        const std::ptrdiff_t n = sf::decode_display_string(v, text, sizeof text);
        require(n >= 0 && static_cast<std::size_t>(n) <= v.text.size(), "display never grows");
        break;
      }
      case sf::Type::integer:
      case sf::Type::date:
        require(v.number >= -sf::kMaxInteger && v.number <= sf::kMaxInteger, "integer range");
        break;
      case sf::Type::decimal:
        require(v.scale >= 1 && v.scale <= 3, "parsed decimal scale");
        break;
      case sf::Type::token:
      case sf::Type::boolean:
        break;
    }
  }
  void params(sf::Parameters ps) const {
    for (std::size_t i = 0; i < ps.size(); ++i) {
      require(inside(ps[i].key) && !ps[i].key.empty(), "parameter key inside the input");
      for (std::size_t j = 0; j < i; ++j) require(ps[i].key != ps[j].key, "parameter keys unique");
      bare(ps[i].value);
    }
  }
  void member(const sf::Member& m) const {
    require(inside(m.key), "member key inside the input");
    if (m.inner_list) {
      for (const sf::Item& it : m.items) {
        bare(it.value);
        params(it.params);
      }
    } else {
      bare(m.value);
    }
    params(m.params);
  }
  void all(Kind kind, const Parsed& p) const {
    if (kind == Kind::item) {
      bare(p.item.value);
      params(p.item.params);
      return;
    }
    const sf::Span<sf::Member> ms = kind == Kind::list ? p.list.members : p.dict.members;
    for (std::size_t i = 0; i < ms.size(); ++i) {
      member(ms[i]);
      require((kind == Kind::dictionary) == !ms[i].key.empty(), "keys only in dictionaries");
      if (kind == Kind::dictionary) {
        for (std::size_t j = 0; j < i; ++j) require(ms[i].key != ms[j].key, "keys unique");
      }
    }
  }
};

// Semantic equality of two bare items (decoded values; Decimals by value).
bool same(const sf::BareItem& a, const sf::BareItem& b) {
  if (a.type != b.type) return false;
  static char x[sf::kMaxFieldSize * 2];
  static char y[sf::kMaxFieldSize * 2];
  switch (a.type) {
    case sf::Type::integer:
    case sf::Type::date:
      return a.number == b.number;
    case sf::Type::decimal: {
      auto milli = [](const sf::BareItem& v) {
        std::int64_t m = v.number;
        for (int s = v.scale; s < 3; ++s) m *= 10;
        return m;
      };
      return milli(a) == milli(b);
    }
    case sf::Type::boolean:
      return a.boolean == b.boolean;
    case sf::Type::token:
      return a.text == b.text;
    case sf::Type::string: {
      const auto n = sf::decode_string(a, x, sizeof x);
      const auto m = sf::decode_string(b, y, sizeof y);
      return n == m && std::memcmp(x, y, static_cast<std::size_t>(n)) == 0;
    }
    case sf::Type::byte_sequence: {
      auto* bx = reinterpret_cast<std::uint8_t*>(x);
      auto* by = reinterpret_cast<std::uint8_t*>(y);
      const auto n = sf::decode_byte_sequence(a, bx, sizeof x);
      const auto m = sf::decode_byte_sequence(b, by, sizeof y);
      return n == m && std::memcmp(x, y, static_cast<std::size_t>(n)) == 0;
    }
    case sf::Type::display_string: {
      const auto n = sf::decode_display_string(a, x, sizeof x);
      const auto m = sf::decode_display_string(b, y, sizeof y);
      return n == m && std::memcmp(x, y, static_cast<std::size_t>(n)) == 0;
    }
  }
  return false;
}

bool same(sf::Parameters a, sf::Parameters b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || !same(a[i].value, b[i].value)) return false;
  }
  return true;
}

bool same(const sf::Item& a, const sf::Item& b) {
  return same(a.value, b.value) && same(a.params, b.params);
}

bool same(const sf::Member& a, const sf::Member& b) {
  if (a.key != b.key || a.inner_list != b.inner_list || !same(a.params, b.params)) return false;
  if (!a.inner_list) return same(a.value, b.value);
  if (a.items.size() != b.items.size()) return false;
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    if (!same(a.items[i], b.items[i])) return false;
  }
  return true;
}

bool same(Kind kind, const Parsed& a, const Parsed& b) {
  if (kind == Kind::item) return same(a.item, b.item);
  const sf::Span<sf::Member> x = kind == Kind::list ? a.list.members : a.dict.members;
  const sf::Span<sf::Member> y = kind == Kind::list ? b.list.members : b.dict.members;
  if (x.size() != y.size()) return false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!same(x[i], y[i])) return false;
  }
  return true;
}

bool empty(Kind kind, const Parsed& p) {
  if (kind == Kind::list) return p.list.members.empty();
  if (kind == Kind::dictionary) return p.dict.members.empty();
  return p.item.params.empty() && p.item.value.text.empty();
}

void check(Kind kind, std::string_view input) {
  static Arena arena;
  static Arena again_arena;
  static char out[sf::kMaxFieldSize * 4];
  static char out2[sf::kMaxFieldSize * 4];
  arena.clear();
  const Parsed p = parse(kind, input, arena);
  if (!p.result) {
    require(arena.members_used() == 0 && arena.items_used() == 0 && arena.params_used() == 0,
            "a failed parse takes nothing from the arena");
    require(empty(kind, p), "a failed parse leaves the output empty");
    require(!parse(kind, input, arena, true).result, "refusing duplicates refuses no less");
    return;
  }
  Checker{input}.all(kind, p);

  const sf::Written w = serialize(kind, p, out, sizeof out);
  require(w.ok(), "a parsed value serializes");
  const std::string_view canonical(out, w.size);

  // Refusing duplicates: fails exactly when some were reported.
  const bool had_duplicates = p.result.duplicate_key || p.result.duplicate_parameter;
  const std::size_t used = arena.members_used() + arena.items_used() + arena.params_used();
  const sf::Result strict = parse(kind, input, arena, true).result;
  require(strict.ok() == !had_duplicates, "reject_duplicates fails iff duplicates");
  if (!strict.ok()) {
    require(
        strict.error == sf::Error::duplicate_key || strict.error == sf::Error::duplicate_parameter,
        "a duplicate error");
    require(arena.members_used() + arena.items_used() + arena.params_used() == used,
            "a failed parse gives its arena space back");
  }

  // The canonical text is a fixed point with the same values.
  again_arena.clear();
  const Parsed q = parse(kind, canonical, again_arena);
  require(q.result.ok(), "canonical text parses");
  require(!q.result.duplicate_key && !q.result.duplicate_parameter, "canonical has no duplicates");
  require(same(kind, p, q), "canonical text has the same values");
  const sf::Written w2 = serialize(kind, q, out2, sizeof out2);
  require(w2.ok() && std::string_view(out2, w2.size) == canonical, "serialization idempotent");

  // One byte short: no_room, the full size, nothing written past the capacity.
  if (w.size > 0) {
    out2[w.size - 1] = '\x5a';
    const sf::Written short_by_one = serialize(kind, p, out2, w.size - 1);
    require(short_by_one.error == sf::Error::no_room && short_by_one.size == w.size,
            "no_room reports the size needed");
    require(out2[w.size - 1] == '\x5a', "nothing written past the capacity");
  }

  // Member values re-serialize on their own (RFC 9421 `;key=`), as inner lists or items.
  if (kind == Kind::dictionary) {
    for (const sf::Member& m : p.dict.members) {
      const sf::Written mv = sf::serialize_member_value(m, out2, sizeof out2);
      require(mv.ok(), "member value serializes");
      if (m.inner_list) {
        const sf::Written il = sf::serialize_inner_list(m.items, m.params, out, sizeof out);
        require(il.ok() && il.size == mv.size && std::memcmp(out, out2, il.size) == 0,
                "inner list serializes as its member value");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check(Kind::list, input);
  check(Kind::dictionary, input);
  check(Kind::item, input);
  return 0;
}
