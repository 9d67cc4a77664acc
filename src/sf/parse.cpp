// RFC 9651 §4.2 parsing. Each function below is one algorithm of §4.2, in its order of steps,
// over a cursor into the input; comments name the step where the code is not self-evident.
#include "structured_fields.hpp"

#include "sf_chars.hpp"

namespace approov::sf {

// Friend of Arena: appends to its storage and rolls back on failure.
class Parser {
 public:
  Parser(std::string_view input, Arena& arena, const ParseOptions& options) noexcept
      : s_(input.data()), n_(input.size()), arena_(arena), options_(options) {}

  Result dictionary(Dictionary& out) noexcept {
    if (!begin()) return result_;
    const std::size_t first = arena_.members_used_;
    bool ok = true;
    // §4.2.2
    while (ok && i_ < n_) {
      Member m;
      const std::size_t start = i_;
      ok = key(m.key) && (at('=') ? (++i_, item_or_inner_list(m)) : bare_key_member(m));
      if (!ok) break;
      Member* existing = nullptr;
      for (std::size_t j = first; j < arena_.members_used_ && existing == nullptr; ++j) {
        if (arena_.members_[j].key == m.key) existing = &arena_.members_[j];
      }
      if (existing != nullptr) {
        if (options_.reject_duplicates) {
          i_ = start;  // report the repeated key
          ok = fail(Error::duplicate_key);
          break;
        }
        result_.duplicate_key = true;
        *existing = m;  // last one wins, in the first one's place
      } else if (!push_member(m)) {
        ok = false;
        break;
      }
      ok = separator();
    }
    if (!finish(ok)) return result_;
    out.members = Span<Member>(arena_.members_ + first, arena_.members_used_ - first);
    return result_;
  }

  Result list(List& out) noexcept {
    if (!begin()) return result_;
    const std::size_t first = arena_.members_used_;
    bool ok = true;
    // §4.2.1
    while (ok && i_ < n_) {
      Member m;
      ok = item_or_inner_list(m) && push_member(m) && separator();
    }
    if (!finish(ok)) return result_;
    out.members = Span<Member>(arena_.members_ + first, arena_.members_used_ - first);
    return result_;
  }

  Result item(Item& out) noexcept {
    if (!begin()) return result_;
    Item it;
    bool ok = bare_item(it.value) && parameters(it.params);
    if (ok) {
      skip_sp();  // §4.2 steps 6-7
      if (i_ != n_) ok = fail(Error::trailing_text);
    }
    if (!finish(ok)) return result_;
    out = it;
    return result_;
  }

 private:
  // §4.2 steps 1-2 (bytes outside ASCII are refused by every rule that could meet them).
  bool begin() noexcept {
    saved_members_ = arena_.members_used_;
    saved_items_ = arena_.items_used_;
    saved_params_ = arena_.params_used_;
    if (n_ > options_.max_size) {
      result_.error = Error::too_long;
      result_.offset = options_.max_size;
      return false;
    }
    skip_sp();
    return true;
  }

  bool finish(bool ok) noexcept {
    if (ok) return true;
    arena_.members_used_ = saved_members_;
    arena_.items_used_ = saved_items_;
    arena_.params_used_ = saved_params_;
    return false;
  }

  bool fail(Error e) noexcept {
    result_.error = e;
    result_.offset = i_;
    return false;
  }

  bool at(char c) const noexcept { return i_ < n_ && s_[i_] == c; }
  unsigned char peek() const noexcept { return static_cast<unsigned char>(s_[i_]); }
  void skip_sp() noexcept {
    while (at(' ')) ++i_;
  }
  void skip_ows() noexcept {
    while (i_ < n_ && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }

  // The end of §4.2.1 / §4.2.2's loop body: OWS, then end of input or "," OWS and more.
  bool separator() noexcept {
    skip_ows();
    if (i_ == n_) return true;
    if (s_[i_] != ',') return fail(Error::missing_comma);
    ++i_;
    skip_ows();
    if (i_ == n_) return fail(Error::trailing_comma);
    return true;
  }

  bool push_member(const Member& m) noexcept {
    if (arena_.members_used_ == arena_.member_capacity_) return fail(Error::too_many_members);
    arena_.members_[arena_.members_used_++] = m;
    return true;
  }

  // §4.2.2 step 2.3: a key without "=" is Boolean true, with parameters.
  bool bare_key_member(Member& m) noexcept {
    m.inner_list = false;
    m.value = make_boolean(true);
    return parameters(m.params);
  }

  // §4.2.1.1
  bool item_or_inner_list(Member& m) noexcept {
    if (at('(')) return inner_list(m);
    m.inner_list = false;
    return bare_item(m.value) && parameters(m.params);
  }

  // §4.2.1.2
  bool inner_list(Member& m) noexcept {
    ++i_;  // '('
    m.inner_list = true;
    const std::size_t first = arena_.items_used_;
    while (i_ < n_) {
      skip_sp();
      if (at(')')) {
        ++i_;
        m.items = Span<Item>(arena_.items_ + first, arena_.items_used_ - first);
        return parameters(m.params);
      }
      Item it;
      if (!bare_item(it.value) || !parameters(it.params)) return false;
      if (arena_.items_used_ == arena_.item_capacity_) return fail(Error::too_many_items);
      arena_.items_[arena_.items_used_++] = it;
      if (!at(' ') && !at(')')) return fail(Error::bad_inner_list);
    }
    return fail(Error::bad_inner_list);
  }

  // §4.2.3.2. Parameters of one Item or Inner List are contiguous in the arena: a repeated
  // key overwrites its earlier slot.
  bool parameters(Parameters& out) noexcept {
    const std::size_t first = arena_.params_used_;
    while (at(';')) {
      ++i_;
      skip_sp();
      Parameter p;
      const std::size_t start = i_;
      if (!key(p.key)) return false;
      p.value = make_boolean(true);
      if (at('=')) {
        ++i_;
        if (!bare_item(p.value)) return false;
      }
      Parameter* existing = nullptr;
      for (std::size_t j = first; j < arena_.params_used_ && existing == nullptr; ++j) {
        if (arena_.params_[j].key == p.key) existing = &arena_.params_[j];
      }
      if (existing != nullptr) {
        if (options_.reject_duplicates) {
          i_ = start;  // report the repeated key
          return fail(Error::duplicate_parameter);
        }
        result_.duplicate_parameter = true;
        existing->value = p.value;
        continue;
      }
      if (arena_.params_used_ == arena_.param_capacity_) return fail(Error::too_many_parameters);
      arena_.params_[arena_.params_used_++] = p;
    }
    out = Parameters(arena_.params_ + first, arena_.params_used_ - first);
    return true;
  }

  // §4.2.3.3
  bool key(std::string_view& out) noexcept {
    if (i_ == n_) return fail(Error::unexpected_end);
    if (!chars::is_key_start(peek())) return fail(Error::bad_key);
    const std::size_t start = i_;
    while (i_ < n_ && chars::is_key_char(peek())) ++i_;
    out = std::string_view(s_ + start, i_ - start);
    return true;
  }

  // §4.2.3.1
  bool bare_item(BareItem& out) noexcept {
    if (i_ == n_) return fail(Error::unexpected_end);
    const unsigned char c = peek();
    if (c == '-' || chars::is_digit(c)) return number(out);
    if (c == '"') return string(out);
    if (chars::is_alpha(c) || c == '*') return token(out);
    if (c == ':') return byte_sequence(out);
    if (c == '?') return boolean(out);
    if (c == '@') return date(out);
    if (c == '%') return display_string(out);
    return fail(Error::unexpected_character);
  }

  // §4.2.4. `length` counts input_number's characters (digits and '.', not the sign).
  bool number(BareItem& out) noexcept {
    const std::size_t start = i_;
    bool negative = false;
    if (at('-')) {
      negative = true;
      ++i_;
    }
    if (i_ == n_ || !chars::is_digit(peek())) return fail(Error::bad_integer);
    bool decimal = false;
    std::size_t length = 0;
    std::uint8_t fraction = 0;
    std::int64_t mantissa = 0;
    while (i_ < n_) {
      const unsigned char c = peek();
      if (chars::is_digit(c)) {
        mantissa = mantissa * 10 + (c - '0');
        if (decimal) ++fraction;
      } else if (!decimal && c == '.') {
        if (length > 12) return fail(Error::bad_decimal);
        decimal = true;
      } else {
        break;
      }
      ++i_;
      ++length;
      if (!decimal && length > 15) return fail(Error::bad_integer);
      if (decimal && length > 16) return fail(Error::bad_decimal);
    }
    if (decimal && (fraction == 0 || fraction > 3)) return fail(Error::bad_decimal);
    out = BareItem{};
    out.type = decimal ? Type::decimal : Type::integer;
    out.boolean = false;
    out.number = negative ? -mantissa : mantissa;
    out.scale = fraction;
    out.text = std::string_view(s_ + start, i_ - start);
    return true;
  }

  // §4.2.5
  bool string(BareItem& out) noexcept {
    ++i_;  // DQUOTE
    const std::size_t start = i_;
    bool escaped = false;
    while (i_ < n_) {
      const unsigned char c = peek();
      ++i_;
      if (c == '\\') {
        if (i_ == n_) return fail(Error::bad_string);
        const char next = s_[i_++];
        if (next != '"' && next != '\\') return fail(Error::bad_string);
        escaped = true;
      } else if (c == '"') {
        out = BareItem{
            Type::string, false, escaped, 0, 0, std::string_view(s_ + start, i_ - 1 - start)};
        return true;
      } else if (!chars::is_visible_or_sp(c)) {
        --i_;
        return fail(Error::bad_string);
      }
    }
    return fail(Error::bad_string);
  }

  // §4.2.6
  bool token(BareItem& out) noexcept {
    const std::size_t start = i_++;
    while (i_ < n_ && chars::is_token_char(peek())) ++i_;
    out = BareItem{Type::token, false, false, 0, 0, std::string_view(s_ + start, i_ - start)};
    return true;
  }

  // §4.2.7. The base64 rules are chars::base64_shape's; decode_byte_sequence() decodes.
  bool byte_sequence(BareItem& out) noexcept {
    ++i_;  // ':'
    const std::size_t start = i_;
    std::size_t end = start;
    while (end < n_ && s_[end] != ':') ++end;
    if (end == n_) return fail(Error::bad_byte_sequence);
    const std::string_view content(s_ + start, end - start);
    if (!chars::base64_shape(content)) return fail(Error::bad_byte_sequence);
    i_ = end + 1;
    out = BareItem{Type::byte_sequence, false, true, 0, 0, content};
    return true;
  }

  // §4.2.8
  bool boolean(BareItem& out) noexcept {
    ++i_;  // '?'
    if (at('1') || at('0')) {
      out = make_boolean(s_[i_++] == '1');
      return true;
    }
    return fail(Error::bad_boolean);
  }

  // §4.2.9
  bool date(BareItem& out) noexcept {
    ++i_;  // '@'
    if (!number(out)) {
      result_.error = Error::bad_date;
      return false;
    }
    if (out.type != Type::integer) return fail(Error::bad_date);
    out.type = Type::date;
    return true;
  }

  // §4.2.10. UTF-8 is checked as the bytes are decoded.
  bool display_string(BareItem& out) noexcept {
    if (i_ + 1 >= n_ || s_[i_ + 1] != '"') return fail(Error::bad_display_string);
    i_ += 2;
    const std::size_t start = i_;
    bool escaped = false;
    chars::Utf8 utf8;
    while (i_ < n_) {
      const unsigned char c = peek();
      if (!chars::is_visible_or_sp(c)) return fail(Error::bad_display_string);
      ++i_;
      if (c == '%') {
        if (i_ + 2 > n_) return fail(Error::bad_display_string);
        const int hi = chars::lower_hex(static_cast<unsigned char>(s_[i_]));
        const int lo = chars::lower_hex(static_cast<unsigned char>(s_[i_ + 1]));
        if (hi < 0 || lo < 0) return fail(Error::bad_display_string);
        i_ += 2;
        escaped = true;
        if (!utf8.feed(static_cast<unsigned char>(hi * 16 + lo))) {
          return fail(Error::bad_display_string);
        }
      } else if (c == '"') {
        if (!utf8.complete()) return fail(Error::bad_display_string);
        out = BareItem{Type::display_string,
                       false,
                       escaped,
                       0,
                       0,
                       std::string_view(s_ + start, i_ - 1 - start)};
        return true;
      } else if (!utf8.feed(c)) {
        return fail(Error::bad_display_string);
      }
    }
    return fail(Error::bad_display_string);
  }

  const char* s_;
  std::size_t n_;
  std::size_t i_ = 0;
  Arena& arena_;
  const ParseOptions& options_;
  Result result_;
  std::size_t saved_members_ = 0;
  std::size_t saved_items_ = 0;
  std::size_t saved_params_ = 0;
};

Result parse_dictionary(std::string_view input, Arena& arena, Dictionary& out,
                        const ParseOptions& options) noexcept {
  out = Dictionary{};
  return Parser(input, arena, options).dictionary(out);
}

Result parse_list(std::string_view input, Arena& arena, List& out,
                  const ParseOptions& options) noexcept {
  out = List{};
  return Parser(input, arena, options).list(out);
}

Result parse_item(std::string_view input, Arena& arena, Item& out,
                  const ParseOptions& options) noexcept {
  out = Item{};
  return Parser(input, arena, options).item(out);
}

const Member* Dictionary::find(std::string_view key) const noexcept {
  for (const Member& m : members) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

const Parameter* find(Parameters params, std::string_view key) noexcept {
  for (const Parameter& p : params) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

}  // namespace approov::sf
