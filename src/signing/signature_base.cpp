#include "signature_base.hpp"

#include <cstring>

#include "approov/base64.hpp"
#include "components.hpp"

namespace approov::signing {

namespace {

// Appends into the base buffer, remembering overflow instead of writing past it.
class Writer {
 public:
  explicit Writer(BaseBuffer out) noexcept : out_(out) {}
  void put(std::string_view s) noexcept {
    // An empty view may have a null data(): memcpy must not see it (undefined behaviour even
    // for 0 bytes; an absent query or an empty authority is one).
    if (s.empty()) return;
    if (overflow_ || s.size() > out_.capacity - size_) {
      overflow_ = true;
      return;
    }
    std::memcpy(out_.data + size_, s.data(), s.size());
    size_ += s.size();
  }
  void put(char c) noexcept { put(std::string_view(&c, 1)); }
  // Room for `n` bytes written in place by a caller; nullptr when there is none.
  char* reserve(std::size_t n) noexcept {
    if (overflow_ || n > out_.capacity - size_) return nullptr;
    return out_.data + size_;
  }
  void commit(std::size_t n) noexcept { size_ += n; }
  char* tail() noexcept { return out_.data + size_; }
  std::size_t room() const noexcept { return overflow_ ? 0 : out_.capacity - size_; }
  void fail() noexcept { overflow_ = true; }
  [[nodiscard]] bool overflow() const noexcept { return overflow_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  BaseBuffer out_;
  std::size_t size_ = 0;
  bool overflow_ = false;
};

// Header fields whose structured type RFC 9421/9530 name as Dictionaries: the only fields
// `;sf` and `;key` may be used on here (any other would be a guess at the field's type).
bool is_known_dictionary(std::string_view name) noexcept {
  return name == "content-digest" || name == "repr-digest" || name == "signature" ||
         name == "signature-input";
}

bool is_lowercase_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') return false;
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return false;
    }
  }
  return true;
}

bool is_true(const sf::BareItem& v) noexcept {
  return v.type == sf::Type::boolean && v.boolean;
}

// The derived components that take no parameter, and what each is.
enum class Derived { none, method, target_uri, authority, scheme, request_target, path, query };

Derived derived_from(std::string_view name) noexcept {
  if (name == "@method") return Derived::method;
  if (name == "@target-uri") return Derived::target_uri;
  if (name == "@authority") return Derived::authority;
  if (name == "@scheme") return Derived::scheme;
  if (name == "@request-target") return Derived::request_target;
  if (name == "@path") return Derived::path;
  if (name == "@query") return Derived::query;
  return Derived::none;
}

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// The request's scheme lowercased (or the base URL's), into `out` (16 bytes).
std::string_view scheme_of(const RequestView& request, const UriBase& uri, char* out) noexcept {
  if (!uri.scheme.empty()) return uri.scheme;
  const std::string_view s = request.scheme();
  if (s.size() > 15) return {};
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = lower(s[i]);
  return {out, s.size()};
}

// Writes the authority (normalised) into the writer; false when there is none.
bool put_authority(Writer& w, const RequestView& request, const UriBase& uri,
                   std::string_view scheme) noexcept {
  if (!uri.authority.empty()) {
    w.put(uri.authority);
    return true;
  }
  if (w.overflow()) return true;  // reported when the base is complete
  const std::size_t n = normalize_authority(request.authority(), scheme, w.tail(), w.room());
  if (n == kNoRoom) {
    w.fail();
    return true;
  }
  if (n == 0) return false;
  w.commit(n);
  return true;
}

Reason derived_value(Writer& w, Derived which, const RequestView& request,
                     const UriBase& uri) noexcept {
  char scheme_buf[16];
  const TargetParts target = split_target(request.target());
  switch (which) {
    case Derived::none:
      return Reason::bad_component;
    case Derived::method:
      w.put(request.method());
      return Reason::ok;
    case Derived::scheme: {
      const std::string_view scheme = scheme_of(request, uri, scheme_buf);
      if (scheme.empty()) return Reason::missing_component;
      w.put(scheme);
      return Reason::ok;
    }
    case Derived::authority: {
      const std::string_view scheme = scheme_of(request, uri, scheme_buf);
      if (!put_authority(w, request, uri, scheme)) return Reason::missing_component;
      return Reason::ok;
    }
    case Derived::target_uri: {
      const std::string_view scheme = scheme_of(request, uri, scheme_buf);
      if (scheme.empty()) return Reason::missing_component;
      w.put(scheme);
      w.put("://");
      if (!put_authority(w, request, uri, scheme)) return Reason::missing_component;
      w.put(target.path);
      // An empty query keeps its "?": "/a?" is the target URI "https://host/a?" (RFC 9110
      // §7.1 combines path and query as sent; RFC 3986 §6.2.3 keeps an empty component's
      // delimiter), which is what a client that sent "/a?" signed.
      if (target.has_query) {
        w.put('?');
        w.put(target.query);
      }
      return Reason::ok;
    }
    case Derived::request_target:
      w.put(request.target());
      return Reason::ok;
    case Derived::path:
      w.put(target.path.empty() ? std::string_view("/") : target.path);
      return Reason::ok;
    case Derived::query:
      w.put('?');
      w.put(target.query);
      return Reason::ok;
  }
  return Reason::bad_component;
}

// A collector of field lines: joined with ", " into the writer, or each wrapped as a Byte
// Sequence (`;bs`).
struct JoinLines final : FieldLineSink {
  JoinLines(Writer& writer, bool byte_sequences) noexcept : w(writer), bs(byte_sequences) {}
  Writer& w;
  bool bs;
  std::size_t count = 0;
  void line(std::string_view value) noexcept override {
    if (count++ != 0) w.put(", ");
    value = trim_ows(value);
    if (!bs) {
      w.put(value);
      return;
    }
    w.put(':');
    const std::size_t need = base64::encoded_size(value.size(), true);
    if (w.reserve(need) == nullptr) return w.fail();
    w.commit(base64::encode_into(value.data(), value.size(), base64::Alphabet::standard, true,
                                 w.tail(), need));
    w.put(':');
  }
};

Reason field_value(Writer& w, const RequestView& request, std::string_view name,
                   sf::Parameters params) noexcept {
  bool sf = false;
  bool bs = false;
  const sf::BareItem* key = nullptr;
  for (const sf::Parameter& p : params) {
    if (p.key == "sf" && is_true(p.value)) {
      sf = true;
    } else if (p.key == "bs" && is_true(p.value)) {
      bs = true;
    } else if (p.key == "key" && p.value.type == sf::Type::string) {
      key = &p.value;
    } else {
      return Reason::bad_component;  // req, tr, name, anything unknown, or a wrong type
    }
  }
  if (bs && (sf || key != nullptr)) return Reason::bad_component;
  if ((sf || key != nullptr) && !is_known_dictionary(name)) return Reason::bad_component;

  if (!sf && key == nullptr) {
    JoinLines join(w, bs);
    request.fields(name, join);
    if (join.count == 0) return Reason::missing_component;
    return Reason::ok;
  }
  // Structured: the combined value parsed as a Dictionary and re-serialized.
  char combined[kMaxSignatureBase / 4];
  std::size_t size = 0;
  bool overflow = false;
  if (join_field_lines(request, name, combined, sizeof combined, size, overflow) == 0) {
    return Reason::missing_component;
  }
  if (overflow) return Reason::bad_component;
  sf::FixedArena<64, 64, 64> arena;
  sf::Dictionary dict;
  sf::ParseOptions options;
  options.max_size = sizeof combined;
  if (!sf::parse_dictionary(std::string_view(combined, size), arena, dict, options)) {
    return Reason::bad_component;
  }
  sf::Written written;
  if (key != nullptr) {
    char key_text[64];
    const std::ptrdiff_t k = sf::decode_string(*key, key_text, sizeof key_text);
    if (k < 0) return Reason::bad_component;
    const sf::Member* member = dict.find(std::string_view(key_text, static_cast<std::size_t>(k)));
    if (member == nullptr) return Reason::missing_component;
    written = sf::serialize_member_value(*member, w.tail(), w.room());
  } else {
    written = sf::serialize_dictionary(dict, w.tail(), w.room());
  }
  if (!written) {
    w.fail();
    return Reason::ok;
  }
  w.commit(written.size);
  return Reason::ok;
}

Reason query_param_value(Writer& w, const RequestView& request, sf::Parameters params) noexcept {
  if (params.size() != 1 || params[0].key != "name" || params[0].value.type != sf::Type::string) {
    return Reason::bad_component;
  }
  char name[256];
  const std::ptrdiff_t n = sf::decode_string(params[0].value, name, sizeof name);
  if (n < 0) return Reason::bad_component;
  const TargetParts target = split_target(request.target());
  const std::size_t size = query_param(
      target.query, std::string_view(name, static_cast<std::size_t>(n)), w.tail(), w.room());
  if (size == kParamAbsent) return Reason::missing_component;
  if (size == kParamRepeated) return Reason::bad_component;
  if (size == kNoRoom) {
    w.fail();
    return Reason::ok;
  }
  w.commit(size);
  return Reason::ok;
}

}  // namespace

std::size_t join_field_lines(const RequestView& request, std::string_view name, char* out,
                             std::size_t capacity, std::size_t& size, bool& overflow) noexcept {
  Writer w(BaseBuffer{out, capacity});
  JoinLines join(w, false);
  request.fields(name, join);
  size = w.size();
  overflow = w.overflow();
  return join.count;
}

bool parse_base_url(std::string_view url, std::string& scheme_out, std::string& authority_out) {
  const std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) return false;
  std::string scheme;
  for (char c : url.substr(0, sep)) scheme += lower(c);
  if (scheme != "http" && scheme != "https") return false;
  std::string_view rest = url.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@ \t") != std::string_view::npos) return false;
  char out[512];
  const std::size_t n = normalize_authority(rest, scheme, out, sizeof out);
  if (n == 0 || n == kNoRoom) return false;
  scheme_out = scheme;
  authority_out.assign(out, n);
  return true;
}

bool same_identifier(const sf::Item& a, const sf::Item& b) noexcept {
  // Two Strings without escapes hold their value as text: different names are different
  // identifiers, without serializing both (the checker compares every pair of identifiers).
  if (a.value.type == sf::Type::string && b.value.type == sf::Type::string && !a.value.encoded &&
      !b.value.encoded && a.value.text != b.value.text) {
    return false;
  }
  char sa[1024];
  char sb[1024];
  const sf::Written wa = sf::serialize_item(a, sa, sizeof sa);
  const sf::Written wb = sf::serialize_item(b, sb, sizeof sb);
  return wa && wb && wa.view(sa) == wb.view(sb);
}

bool is_plain_identifier(const sf::Item& item, std::string_view name) noexcept {
  return item.params.empty() && sf::string_equals(item.value, name);
}

Reason build_signature_base(const RequestView& request, const UriBase& uri,
                            sf::Span<sf::Item> items, sf::Parameters params, BaseBuffer out,
                            std::size_t& size) noexcept {
  Writer w(out);
  for (const sf::Item& item : items) {
    // The identifier: a String holding a lowercase component name (escapes are impossible
    // in a valid name, so an encoded String is refused too).
    if (item.value.type != sf::Type::string || item.value.encoded ||
        !is_lowercase_name(item.value.text)) {
      return Reason::bad_component;
    }
    const std::string_view name = item.value.text;
    const sf::Written id = sf::serialize_item(item, w.tail(), w.room());
    if (!id) return Reason::bad_component;  // no room, or not serializable
    w.commit(id.size);
    w.put(": ");
    Reason r;
    if (name.front() == '@') {
      if (name == "@query-param") {
        r = query_param_value(w, request, item.params);
      } else {
        const Derived which = derived_from(name);
        // @status (responses only), @signature-params and unknown names; no derived
        // component here takes a parameter (req, tr, ... are refused).
        r = which == Derived::none || !item.params.empty() ? Reason::bad_component
                                                           : derived_value(w, which, request, uri);
      }
    } else {
      r = field_value(w, request, name, item.params);
    }
    if (r != Reason::ok) return r;
    w.put('\n');
  }
  w.put("\"@signature-params\": ");
  const sf::Written sp = sf::serialize_inner_list(items, params, w.tail(), w.room());
  if (!sp) return Reason::bad_component;
  w.commit(sp.size);
  if (w.overflow()) return Reason::bad_component;
  size = w.size();
  return Reason::ok;
}

}  // namespace approov::signing
