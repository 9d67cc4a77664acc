#include "json_text.hpp"

#include <cstdint>

#include "internal/text.hpp"

namespace approov_cli {

namespace json = approov::json;

namespace {

json::Options cli_options(bool object_only, bool strict) {
  json::Options options;
  options.max_size = kMaxCliJson;
  options.require_object = object_only;
  options.strict = strict;
  return options;
}

// Writes the document again, two spaces per level, every scalar exactly as written.
class Pretty {
 public:
  explicit Pretty(std::string& out) : out_(out) {}

  bool begin(json::Type type, std::size_t depth, std::size_t) {
    if (in_array(depth)) next_item(depth);
    out_ += type == json::Type::object ? '{' : '[';
    open_.push_back({type, false});
    return true;
  }
  bool name(const json::Value& name, std::size_t depth) {
    next_item(depth);
    out_ += '"';
    out_.append(name.raw);
    out_ += "\": ";
    return true;
  }
  bool value(const json::Value& v, std::size_t depth) {
    if (v.type == json::Type::object || v.type == json::Type::array) {
      const bool had_items = open_.back().has_items;
      open_.pop_back();
      if (had_items) newline(depth);
      out_ += v.type == json::Type::object ? '}' : ']';
      return true;
    }
    if (in_array(depth)) next_item(depth);
    if (v.type == json::Type::string) {
      out_ += '"';
      out_.append(v.raw);
      out_ += '"';
    } else {
      out_.append(v.raw);
    }
    return true;
  }

 private:
  struct Open {
    json::Type type;
    bool has_items;
  };
  bool in_array(std::size_t depth) const {
    return depth > 0 && !open_.empty() && open_.back().type == json::Type::array;
  }
  void next_item(std::size_t depth) {
    if (open_.back().has_items) out_ += ',';
    open_.back().has_items = true;
    newline(depth);
  }
  void newline(std::size_t depth) {
    out_ += '\n';
    out_.append(depth * 2, ' ');
  }
  std::string& out_;
  std::vector<Open> open_;
};

}  // namespace

bool JsonCheck::is_json() const noexcept {
  switch (problem) {
    case json::Problem::none:
    case json::Problem::duplicate_name:
    case json::Problem::lone_surrogate:
    case json::Problem::noncharacter:
      return true;
    default:
      return false;
  }
}

std::string JsonCheck::describe() const {
  return std::string(json::describe(problem)) + " at byte " + std::to_string(offset);
}

JsonCheck check_json(std::string_view text, std::string* pretty) {
  // Lenient first, to tell "not JSON" from "JSON the verifier refuses" and to format both.
  std::string formatted;
  Pretty printer(formatted);
  json::Validate validate;
  const json::Options lenient = cli_options(false, false);
  const json::Result r = pretty != nullptr ? json::parse_large(text, printer, lenient)
                                           : json::parse_large(text, validate, lenient);
  JsonCheck check;
  if (!r.ok()) {
    check.problem = r.problem;
    check.offset = r.offset;
  } else if (r.warning != json::Problem::none) {
    check.problem = r.warning;
    check.offset = r.warning_offset;
  }
  if (pretty != nullptr) *pretty = check.is_json() ? std::move(formatted) : std::string();
  return check;
}

std::vector<std::string> json_member_names(std::string_view object_json) {
  std::vector<std::string> names;
  const auto collect = [&names](const json::Value& name, const json::Value&) {
    std::string plain(name.raw.size(), '\0');
    plain.resize(json::unescape(name.raw, plain.data()));
    names.push_back(std::move(plain));
    return true;
  };
  json::TopLevelMembers<decltype(collect)> members{collect};
  if (!json::parse_large(object_json, members, cli_options(true, true))) names.clear();
  return names;
}

std::optional<json::Value> json_member(std::string_view object_json, std::string_view name) {
  std::optional<json::Value> found;
  const auto find = [&](const json::Value& n, const json::Value& v) {
    if (!found && json::string_equals(n, name)) found = v;
    return true;
  };
  json::TopLevelMembers<decltype(find)> members{find};
  if (!json::parse_large(object_json, members, cli_options(true, false))) return std::nullopt;
  return found;
}

std::string json_quote(std::string_view text) {
  return approov::text::json_quote(text);
}

bool is_json_number(std::string_view text) {
  if (text.empty() || text.front() == ' ' || text.back() == ' ' || text.front() == '\t' ||
      text.back() == '\t' || text.front() == '\n' || text.back() == '\n' || text.front() == '\r' ||
      text.back() == '\r') {
    return false;  // exactly a number, no surrounding whitespace
  }
  bool number = false;
  const auto is_number = [&number](const json::Value& v, std::size_t depth) {
    number = depth == 0 && v.type == json::Type::number;
    return true;
  };
  struct Handler {
    decltype(is_number)& on_value;
    bool begin(json::Type, std::size_t, std::size_t) { return true; }
    bool name(const json::Value&, std::size_t) { return true; }
    bool value(const json::Value& v, std::size_t depth) { return on_value(v, depth); }
  } handler{is_number};
  return json::parse_large(text, handler, cli_options(false, true)).ok() && number;
}

}  // namespace approov_cli
