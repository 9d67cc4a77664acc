// approov::sf, the RFC 9651 structured-field parser and serializer behind message signing:
// the RFC's examples and the project's case file (tests/sf/data/), decoded values, duplicate
// reporting, arena and size limits, and serialization of values built by a caller.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "case_file.hpp"
#include "sf/structured_fields.hpp"

namespace approov::test {
namespace {

using sf_cases::Case;

const char* error_name(sf::Error e) {
  switch (e) {
#define APPROOV_SF_ERROR(name) \
  case sf::Error::name:        \
    return #name;
    APPROOV_SF_ERROR(none)
    APPROOV_SF_ERROR(too_long)
    APPROOV_SF_ERROR(unexpected_end)
    APPROOV_SF_ERROR(unexpected_character)
    APPROOV_SF_ERROR(bad_key)
    APPROOV_SF_ERROR(bad_integer)
    APPROOV_SF_ERROR(bad_decimal)
    APPROOV_SF_ERROR(bad_string)
    APPROOV_SF_ERROR(bad_byte_sequence)
    APPROOV_SF_ERROR(bad_boolean)
    APPROOV_SF_ERROR(bad_date)
    APPROOV_SF_ERROR(bad_display_string)
    APPROOV_SF_ERROR(bad_inner_list)
    APPROOV_SF_ERROR(missing_comma)
    APPROOV_SF_ERROR(trailing_comma)
    APPROOV_SF_ERROR(trailing_text)
    APPROOV_SF_ERROR(too_many_members)
    APPROOV_SF_ERROR(too_many_items)
    APPROOV_SF_ERROR(too_many_parameters)
    APPROOV_SF_ERROR(duplicate_key)
    APPROOV_SF_ERROR(duplicate_parameter)
    APPROOV_SF_ERROR(no_room)
    APPROOV_SF_ERROR(integer_out_of_range)
    APPROOV_SF_ERROR(decimal_out_of_range)
    APPROOV_SF_ERROR(not_serializable)
#undef APPROOV_SF_ERROR
  }
  return "?";
}

using Arena = sf::FixedArena<64, 256, 256>;

// Parses `text` as `type` and serializes it: "error:<name>" or the canonical text.
struct Outcome {
  sf::Result result;
  std::string text;
};

Outcome parse_and_serialize(const std::string& type, std::string_view text, Arena& arena,
                            const sf::ParseOptions& options = {}) {
  Outcome o;
  char out[sf::kMaxFieldSize * 2];
  sf::Written w;
  if (type == "list") {
    sf::List list;
    o.result = sf::parse_list(text, arena, list, options);
    if (!o.result) return {o.result, std::string("error:") + error_name(o.result.error)};
    w = sf::serialize_list(list, out, sizeof out);
  } else if (type == "dictionary") {
    sf::Dictionary dict;
    o.result = sf::parse_dictionary(text, arena, dict, options);
    if (!o.result) return {o.result, std::string("error:") + error_name(o.result.error)};
    w = sf::serialize_dictionary(dict, out, sizeof out);
  } else if (type == "item") {
    sf::Item item;
    o.result = sf::parse_item(text, arena, item, options);
    if (!o.result) return {o.result, std::string("error:") + error_name(o.result.error)};
    w = sf::serialize_item(item, out, sizeof out);
  } else {
    ADD_FAILURE() << "unknown type " << type;
    return o;
  }
  if (!w) return {o.result, std::string("serialize-error:") + error_name(w.error)};
  o.text.assign(out, w.size);
  return o;
}

std::vector<Case> load_all() {
  std::vector<Case> all;
  for (const char* file : {"rfc9651_examples.txt", "cases.txt"}) {
    auto cases = sf_cases::load(std::string(APPROOV_SF_DATA) + "/" + file);
    all.insert(all.end(), cases.begin(), cases.end());
  }
  return all;
}

void run_case(const Case& c) {
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + " " + c.name);
  const std::string input = c.input();
  Arena arena;
  const Outcome o = parse_and_serialize(c.type, input, arena);
  if (!c.error.empty()) {
    EXPECT_EQ(o.text, "error:" + c.error);
    EXPECT_EQ(arena.members_used() + arena.items_used() + arena.params_used(), 0u)
        << "a failed parse gives its arena space back";
    return;
  }
  ASSERT_EQ(o.text, c.canonical);
  EXPECT_EQ(o.result.duplicate_key, c.duplicates == "key" || c.duplicates == "both");
  EXPECT_EQ(o.result.duplicate_parameter, c.duplicates == "parameter" || c.duplicates == "both");
  // Canonical text is a fixed point: it parses, without duplicates, to itself.
  const Outcome again = parse_and_serialize(c.type, c.canonical, arena);
  EXPECT_EQ(again.text, c.canonical);
  EXPECT_FALSE(again.result.duplicate_key || again.result.duplicate_parameter);
  // Refusing duplicates changes only what has duplicates.
  sf::ParseOptions strict;
  strict.reject_duplicates = true;
  const Outcome refused = parse_and_serialize(c.type, input, arena, strict);
  if (c.reject_duplicates.empty()) {
    EXPECT_EQ(refused.text, c.canonical);
  } else {
    EXPECT_EQ(refused.text, "error:" + c.reject_duplicates);
  }
}

TEST(StructuredFields, CaseFiles) {
  const std::vector<Case> cases = load_all();
  ASSERT_GT(cases.size(), 200u);
  std::size_t valid = 0;
  for (const Case& c : cases) {
    run_case(c);
    if (c.has_canonical) ++valid;
  }
  RecordProperty("cases", static_cast<int>(cases.size()));
  std::printf("%zu cases (%zu valid, %zu invalid)\n", cases.size(), valid, cases.size() - valid);
}

// ---- Values of the RFC 9651 examples --------------------------------------------------------

std::string decoded_string(const sf::BareItem& v) {
  std::string out(v.text.size(), '\0');
  const auto n = sf::decode_string(v, out.data(), out.size());
  if (n < 0) return "<error>";
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string decoded_bytes(const sf::BareItem& v) {
  std::string out(v.text.size() + 2, '\0');
  const auto n =
      sf::decode_byte_sequence(v, reinterpret_cast<std::uint8_t*>(out.data()), out.size());
  if (n < 0) return "<error>";
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string decoded_display(const sf::BareItem& v) {
  std::string out(v.text.size(), '\0');
  const auto n = sf::decode_display_string(v, out.data(), out.size());
  if (n < 0) return "<error>";
  out.resize(static_cast<std::size_t>(n));
  return out;
}

sf::Item item_of(std::string_view text, Arena& arena) {
  sf::Item item;
  const sf::Result r = sf::parse_item(text, arena, item);
  EXPECT_TRUE(r.ok()) << text << ": " << sf::describe(r.error);
  return item;
}

TEST(StructuredFields, RfcExampleValues) {
  Arena arena;
  sf::Item i = item_of("42", arena);
  EXPECT_EQ(i.value.type, sf::Type::integer);
  EXPECT_EQ(i.value.number, 42);

  i = item_of("4.5", arena);
  EXPECT_EQ(i.value.type, sf::Type::decimal);
  EXPECT_EQ(i.value.number, 45);
  EXPECT_EQ(i.value.scale, 1);

  i = item_of("\"hello world\"", arena);
  EXPECT_EQ(i.value.type, sf::Type::string);
  EXPECT_EQ(decoded_string(i.value), "hello world");

  i = item_of("foo123/456", arena);
  EXPECT_EQ(i.value.type, sf::Type::token);
  EXPECT_EQ(i.value.text, "foo123/456");

  i = item_of(":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:", arena);
  EXPECT_EQ(i.value.type, sf::Type::byte_sequence);
  EXPECT_EQ(decoded_bytes(i.value), "pretend this is binary content.");

  i = item_of("?1", arena);
  EXPECT_EQ(i.value.type, sf::Type::boolean);
  EXPECT_TRUE(i.value.boolean);

  i = item_of("@1659578233", arena);
  EXPECT_EQ(i.value.type, sf::Type::date);
  EXPECT_EQ(i.value.number, 1659578233);

  i = item_of("%\"This is intended for display to %c3%bcsers.\"", arena);
  EXPECT_EQ(i.value.type, sf::Type::display_string);
  EXPECT_EQ(decoded_display(i.value), "This is intended for display to \xc3\xbcsers.");

  i = item_of("2; foourl=\"https://foo.example.com/\"", arena);
  ASSERT_EQ(i.params.size(), 1u);
  EXPECT_EQ(i.params[0].key, "foourl");
  EXPECT_TRUE(sf::string_equals(i.params[0].value, "https://foo.example.com/"));

  i = item_of("1; a; b=?0", arena);
  ASSERT_EQ(i.params.size(), 2u);
  EXPECT_TRUE(i.params[0].value.type == sf::Type::boolean && i.params[0].value.boolean);
  EXPECT_TRUE(i.params[1].value.type == sf::Type::boolean && !i.params[1].value.boolean);

  sf::Dictionary d;
  ASSERT_TRUE(sf::parse_dictionary("en=\"Applepie\", da=:w4ZibGV0w6ZydGUK:", arena, d));
  ASSERT_NE(d.find("da"), nullptr);
  EXPECT_EQ(decoded_bytes(d.find("da")->value),
            "\xc3\x86"
            "blet\xc3\xa6rte\n");
  EXPECT_TRUE(sf::string_equals(d.find("en")->value, "Applepie"));
  EXPECT_EQ(d.find("fr"), nullptr);

  ASSERT_TRUE(sf::parse_dictionary("a=?0, b, c; foo=bar", arena, d));
  ASSERT_EQ(d.members.size(), 3u);
  EXPECT_FALSE(d.members[0].value.boolean);
  EXPECT_TRUE(d.members[1].value.boolean);
  EXPECT_TRUE(d.members[2].value.boolean);
  ASSERT_NE(sf::find(d.members[2].params, "foo"), nullptr);
  EXPECT_EQ(sf::find(d.members[2].params, "foo")->value.text, "bar");

  sf::List l;
  ASSERT_TRUE(sf::parse_list("(\"foo\"; a=1;b=2);lvl=5, (\"bar\" \"baz\");lvl=1", arena, l));
  ASSERT_EQ(l.members.size(), 2u);
  EXPECT_TRUE(l.members[0].inner_list);
  ASSERT_EQ(l.members[0].items.size(), 1u);
  EXPECT_EQ(l.members[0].items[0].params.size(), 2u);
  EXPECT_EQ(sf::find(l.members[0].params, "lvl")->value.number, 5);
  ASSERT_EQ(l.members[1].items.size(), 2u);
  EXPECT_TRUE(sf::string_equals(l.members[1].items[1].value, "baz"));
}

// ---- Views and decoders ---------------------------------------------------------------------

TEST(StructuredFields, ValuesAreViewsIntoTheInput) {
  Arena arena;
  const std::string input =
      "sig=(\"@method\" \"a\\\"b\");keyid=\"k\";t=tok;b=:AQID:;d=%\"%c3%bc\";n=-1.25";
  sf::Dictionary d;
  ASSERT_TRUE(sf::parse_dictionary(input, arena, d));
  const sf::Member& m = d.members[0];
  auto inside = [&](std::string_view v) {
    return v.data() >= input.data() && v.data() + v.size() <= input.data() + input.size();
  };
  EXPECT_TRUE(inside(m.key));
  for (const sf::Item& it : m.items) EXPECT_TRUE(inside(it.value.text));
  for (const sf::Parameter& p : m.params) {
    EXPECT_TRUE(inside(p.key));
    EXPECT_TRUE(inside(p.value.text));
  }
  EXPECT_FALSE(m.items[0].value.encoded) << "no escapes: the text is the value";
  EXPECT_TRUE(m.items[1].value.encoded);
  EXPECT_EQ(m.items[1].value.text, "a\\\"b");
  EXPECT_EQ(decoded_string(m.items[1].value), "a\"b");
  EXPECT_TRUE(sf::string_equals(m.items[1].value, "a\"b"));
  EXPECT_FALSE(sf::string_equals(m.items[1].value, "a\\\"b"));
  EXPECT_FALSE(sf::string_equals(m.items[1].value, "a\""));
  EXPECT_FALSE(sf::string_equals(m.items[1].value, "a\"bc"));
  EXPECT_EQ(sf::find(m.params, "b")->value.text, "AQID");
  EXPECT_EQ(decoded_bytes(sf::find(m.params, "b")->value), "\x01\x02\x03");
  EXPECT_EQ(decoded_display(sf::find(m.params, "d")->value), "\xc3\xbc");
  const sf::BareItem& n = sf::find(m.params, "n")->value;
  EXPECT_EQ(n.type, sf::Type::decimal);
  EXPECT_EQ(n.number, -125);
  EXPECT_EQ(n.scale, 2);
  EXPECT_EQ(n.text, "-1.25");
}

TEST(StructuredFields, DecodersRefuseWrongTypesAndSmallBuffers) {
  Arena arena;
  const sf::Item s = item_of("\"abc\"", arena);
  const sf::Item b = item_of(":AQID:", arena);
  const sf::Item d = item_of("%\"%c3%bc\"", arena);
  char out[8];
  std::uint8_t bytes[8];
  EXPECT_EQ(sf::decode_string(b.value, out, sizeof out), -1);
  EXPECT_EQ(sf::decode_string(s.value, out, 2), -1);
  EXPECT_EQ(sf::decode_string(s.value, out, 3), 3);
  EXPECT_FALSE(sf::string_equals(b.value, "AQID"));
  EXPECT_EQ(sf::decode_byte_sequence(s.value, bytes, sizeof bytes), -1);
  EXPECT_EQ(sf::decode_byte_sequence(b.value, bytes, 2), -1);
  EXPECT_EQ(sf::decode_byte_sequence(b.value, bytes, 3), 3);
  EXPECT_EQ(sf::decode_display_string(s.value, out, sizeof out), -1);
  EXPECT_EQ(sf::decode_display_string(d.value, out, 1), -1);
  EXPECT_EQ(sf::decode_display_string(d.value, out, 2), 2);
}

TEST(StructuredFields, ByteSequenceLeniencyAndCanonicalCheck) {
  Arena arena;
  struct {
    const char* text;
    const char* bytes;
    bool canonical;
  } cases[] = {
      {":aGVsbG8=:", "hello", true},
      {":aGVsbG8:", "hello", false},
      {":aGVsbA==:", "hell", true},
      {":aGVsbA:", "hell", false},
      {":aGVsbB==:", "hell", false},
      {":aGVsbG9=:", "hello", false},
      {"::", "", true},
      {":YWJj:", "abc", true},
  };
  for (const auto& c : cases) {
    const sf::Item i = item_of(c.text, arena);
    EXPECT_EQ(decoded_bytes(i.value), c.bytes) << c.text;
    EXPECT_EQ(sf::byte_sequence_is_canonical(i.value), c.canonical) << c.text;
  }
  EXPECT_TRUE(sf::byte_sequence_is_canonical(sf::make_byte_sequence("x")));
  EXPECT_FALSE(sf::byte_sequence_is_canonical(sf::make_string("x")));
}

// ---- Duplicates -----------------------------------------------------------------------------

TEST(StructuredFields, DuplicateLabelIsReportedAndCanBeRefused) {
  Arena arena;
  const std::string field = "install=:AAAA:, account=:BBBB:, install=:CCCC:";
  sf::Dictionary d;
  const sf::Result r = sf::parse_dictionary(field, arena, d);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.duplicate_key);
  EXPECT_FALSE(r.duplicate_parameter);
  ASSERT_EQ(d.members.size(), 2u);
  EXPECT_EQ(d.members[0].key, "install");
  EXPECT_EQ(d.find("install")->value.text, "CCCC");

  sf::ParseOptions strict;
  strict.reject_duplicates = true;
  const sf::Result refused = sf::parse_dictionary(field, arena, d, strict);
  EXPECT_EQ(refused.error, sf::Error::duplicate_key);
  EXPECT_EQ(refused.offset, field.rfind("install"));
  EXPECT_TRUE(d.members.empty());
}

// ---- Limits ---------------------------------------------------------------------------------

TEST(StructuredFields, InputSizeLimit) {
  Arena arena;
  std::string field = "a=\"" + std::string(sf::kMaxFieldSize - 5, 'x') + "\"";
  ASSERT_EQ(field.size(), sf::kMaxFieldSize - 1);
  sf::Dictionary d;
  EXPECT_TRUE(sf::parse_dictionary(field, arena, d));
  field.insert(0, " ");  // exactly the limit
  EXPECT_TRUE(sf::parse_dictionary(field, arena, d));
  field.insert(0, " ");
  EXPECT_EQ(sf::parse_dictionary(field, arena, d).error, sf::Error::too_long);
  sf::ParseOptions small;
  small.max_size = 4;
  sf::Item i;
  EXPECT_TRUE(sf::parse_item("1234", arena, i, small));
  EXPECT_EQ(sf::parse_item("12345", arena, i, small).error, sf::Error::too_long);
}

TEST(StructuredFields, ArenaCapacityIsAClearError) {
  sf::FixedArena<2, 3, 2> arena;
  sf::List l;
  EXPECT_TRUE(sf::parse_list("1, 2", arena, l));
  arena.clear();
  EXPECT_EQ(sf::parse_list("1, 2, 3", arena, l).error, sf::Error::too_many_members);
  EXPECT_TRUE(sf::parse_list("(1 2 3)", arena, l));
  arena.clear();
  EXPECT_EQ(sf::parse_list("(1 2 3 4)", arena, l).error, sf::Error::too_many_items);
  EXPECT_EQ(sf::parse_list("(1 2), (3 4)", arena, l).error, sf::Error::too_many_items);
  EXPECT_TRUE(sf::parse_list("1;a;b", arena, l));
  arena.clear();
  EXPECT_EQ(sf::parse_list("1;a;b;c", arena, l).error, sf::Error::too_many_parameters);
  EXPECT_EQ(sf::parse_list("1;a, 2, 3", arena, l).error, sf::Error::too_many_members);
  EXPECT_EQ(sf::parse_list("1;a, 2;b;c", arena, l).error, sf::Error::too_many_parameters);
  // Repeated parameters overwrite their slot: they take no more room.
  EXPECT_TRUE(sf::parse_list("1;a;a;a;a;b", arena, l));
  EXPECT_EQ(arena.params_used(), 2u);
  arena.clear();
  sf::Dictionary d;
  EXPECT_TRUE(sf::parse_dictionary("a, b, a, b, a", arena, d));
  EXPECT_EQ(arena.members_used(), 2u);
}

TEST(StructuredFields, OneArenaHoldsSeveralFieldsAndFailuresGiveSpaceBack) {
  Arena arena;
  sf::Dictionary input;
  sf::Dictionary signature;
  ASSERT_TRUE(sf::parse_dictionary("install=(\"@method\");created=1", arena, input));
  const std::size_t members = arena.members_used();
  const std::size_t items = arena.items_used();
  const std::size_t params = arena.params_used();
  sf::Dictionary broken;
  EXPECT_FALSE(sf::parse_dictionary("a=(1 2);x=1, b=(3", arena, broken));
  EXPECT_TRUE(broken.members.empty());
  EXPECT_EQ(arena.members_used(), members);
  EXPECT_EQ(arena.items_used(), items);
  EXPECT_EQ(arena.params_used(), params);
  ASSERT_TRUE(sf::parse_dictionary("install=:AAAA:", arena, signature));
  EXPECT_TRUE(sf::string_equals(input.find("install")->items[0].value, "@method"));
  EXPECT_EQ(signature.find("install")->value.text, "AAAA");
}

// ---- Serialization of built values ----------------------------------------------------------

std::string serialize(const sf::BareItem& v) {
  char out[64];
  const sf::Written w = sf::serialize_bare_item(v, out, sizeof out);
  if (!w) return std::string("error:") + error_name(w.error);
  return std::string(out, w.size);
}

TEST(StructuredFields, SerializeIntegersAndDates) {
  EXPECT_EQ(serialize(sf::make_integer(0)), "0");
  EXPECT_EQ(serialize(sf::make_integer(-17)), "-17");
  EXPECT_EQ(serialize(sf::make_integer(sf::kMaxInteger)), "999999999999999");
  EXPECT_EQ(serialize(sf::make_integer(-sf::kMaxInteger)), "-999999999999999");
  EXPECT_EQ(serialize(sf::make_integer(sf::kMaxInteger + 1)), "error:integer_out_of_range");
  EXPECT_EQ(serialize(sf::make_integer(-sf::kMaxInteger - 1)), "error:integer_out_of_range");
  EXPECT_EQ(serialize(sf::make_integer(INT64_MIN)), "error:integer_out_of_range");
  EXPECT_EQ(serialize(sf::make_date(1659578233)), "@1659578233");
  EXPECT_EQ(serialize(sf::make_date(-1)), "@-1");
  EXPECT_EQ(serialize(sf::make_date(sf::kMaxInteger + 1)), "error:integer_out_of_range");
}

TEST(StructuredFields, SerializeDecimalsRoundsHalfToEven) {
  EXPECT_EQ(serialize(sf::make_decimal(15, 1)), "1.5");
  EXPECT_EQ(serialize(sf::make_decimal(1, 0)), "1.0");
  EXPECT_EQ(serialize(sf::make_decimal(0, 0)), "0.0");
  EXPECT_EQ(serialize(sf::make_decimal(1500, 3)), "1.5");
  EXPECT_EQ(serialize(sf::make_decimal(-1, 3)), "-0.001");
  EXPECT_EQ(serialize(sf::make_decimal(12345, 4)), "1.234");     // below half: down
  EXPECT_EQ(serialize(sf::make_decimal(12346, 4)), "1.235");     // above half: up
  EXPECT_EQ(serialize(sf::make_decimal(12345001, 7)), "1.235");  // just above half
  EXPECT_EQ(serialize(sf::make_decimal(10005, 4)), "1.0");       // half: to even (0)
  EXPECT_EQ(serialize(sf::make_decimal(10015, 4)), "1.002");     // half: to even (2)
  EXPECT_EQ(serialize(sf::make_decimal(10025, 4)), "1.002");
  EXPECT_EQ(serialize(sf::make_decimal(-10015, 4)), "-1.002");
  EXPECT_EQ(serialize(sf::make_decimal(19995, 4)), "2.0");  // carries into the integer
  EXPECT_EQ(serialize(sf::make_decimal(5, 4)), "0.0");      // half of 0.001: to even (0)
  EXPECT_EQ(serialize(sf::make_decimal(-5, 4)), "0.0");     // no sign on a zero result
  EXPECT_EQ(serialize(sf::make_decimal(-6, 4)), "-0.001");
  EXPECT_EQ(serialize(sf::make_decimal(999'999'999'999'999, 3)), "999999999999.999");
  EXPECT_EQ(serialize(sf::make_decimal(-999'999'999'999'999, 3)), "-999999999999.999");
  EXPECT_EQ(serialize(sf::make_decimal(9'999'999'999'999'994, 4)), "999999999999.999");
  EXPECT_EQ(serialize(sf::make_decimal(9'999'999'999'999'995, 4)), "error:decimal_out_of_range");
  EXPECT_EQ(serialize(sf::make_decimal(1'000'000'000'000, 0)), "error:decimal_out_of_range");
  EXPECT_EQ(serialize(sf::make_decimal(999'999'999'999, 0)), "999999999999.0");
  EXPECT_EQ(serialize(sf::make_decimal(INT64_MIN, 18)), "-9.223");
  EXPECT_EQ(serialize(sf::make_decimal(INT64_MAX, 0)), "error:decimal_out_of_range");
  EXPECT_EQ(serialize(sf::make_decimal(1, 19)), "error:not_serializable");
}

TEST(StructuredFields, SerializeStringsTokensBytesAndDisplayStrings) {
  EXPECT_EQ(serialize(sf::make_string("")), "\"\"");
  EXPECT_EQ(serialize(sf::make_string("say \"hi\" \\o/")), "\"say \\\"hi\\\" \\\\o/\"");
  EXPECT_EQ(serialize(sf::make_string("tab\there")), "error:not_serializable");
  EXPECT_EQ(serialize(sf::make_string("\xc3\xa9")), "error:not_serializable");
  EXPECT_EQ(serialize(sf::make_string("del\x7f")), "error:not_serializable");
  EXPECT_EQ(serialize(sf::make_token("foo:bar/baz*")), "foo:bar/baz*");
  EXPECT_EQ(serialize(sf::make_token("")), "error:not_serializable");
  EXPECT_EQ(serialize(sf::make_token("1abc")), "error:not_serializable");
  EXPECT_EQ(serialize(sf::make_token("a b")), "error:not_serializable");
  EXPECT_EQ(serialize(sf::make_byte_sequence("")), "::");
  EXPECT_EQ(serialize(sf::make_byte_sequence("f")), ":Zg==:");
  EXPECT_EQ(serialize(sf::make_byte_sequence("fo")), ":Zm8=:");
  EXPECT_EQ(serialize(sf::make_byte_sequence("foobar")), ":Zm9vYmFy:");
  EXPECT_EQ(serialize(sf::make_byte_sequence(std::string_view("\xff\x00\xfe", 3))), ":/wD+:");
  EXPECT_EQ(serialize(sf::make_boolean(true)), "?1");
  EXPECT_EQ(serialize(sf::make_boolean(false)), "?0");
  EXPECT_EQ(serialize(sf::make_display_string("f\xc3\xbc\"%\n~")), "%\"f%c3%bc%22%25%0a~\"");
  EXPECT_EQ(serialize(sf::make_display_string("\xc3")), "error:not_serializable");
  EXPECT_EQ(serialize(sf::make_display_string("\xed\xa0\x80")), "error:not_serializable");
  // Encoded values built by hand are checked, not copied blindly.
  sf::BareItem forged = sf::make_string("a\\x");
  forged.encoded = true;
  EXPECT_EQ(serialize(forged), "error:not_serializable");
  forged = sf::make_string("a\"");
  forged.encoded = true;
  EXPECT_EQ(serialize(forged), "error:not_serializable");
  forged = sf::make_byte_sequence("a=b");
  forged.encoded = true;
  EXPECT_EQ(serialize(forged), "error:not_serializable");
  forged = sf::make_display_string("%C3%BC");
  forged.encoded = true;
  EXPECT_EQ(serialize(forged), "error:not_serializable");
  forged = sf::make_display_string("%c3");
  forged.encoded = true;
  EXPECT_EQ(serialize(forged), "error:not_serializable");
}

TEST(StructuredFields, SerializeSignatureParamsInnerList) {
  const sf::Item components[] = {
      {sf::make_string("@method"), {}},
      {sf::make_string("@target-uri"), {}},
      {sf::make_string("approov-token"), {}},
  };
  const sf::Parameter key_param[] = {{"key", sf::make_string("sha-256")}};
  const sf::Item with_key[] = {{sf::make_string("content-digest"), key_param}};
  const sf::Parameter params[] = {
      {"alg", sf::make_string("ecdsa-p256-sha256")},
      {"created", sf::make_integer(1618884473)},
      {"expires", sf::make_integer(1618884488)},
      {"keyid", sf::make_string("k")},
  };
  char out[256];
  sf::Written w = sf::serialize_inner_list(components, params, out, sizeof out);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.view(out),
            "(\"@method\" \"@target-uri\" \"approov-token\");alg=\"ecdsa-p256-sha256\";"
            "created=1618884473;expires=1618884488;keyid=\"k\"");
  w = sf::serialize_inner_list(with_key, {}, out, sizeof out);
  EXPECT_EQ(w.view(out), "(\"content-digest\";key=\"sha-256\")");
  w = sf::serialize_inner_list({}, {}, out, sizeof out);
  EXPECT_EQ(w.view(out), "()");
  w = sf::serialize_parameters(params, out, sizeof out);
  EXPECT_EQ(w.view(out),
            ";alg=\"ecdsa-p256-sha256\";created=1618884473;expires=1618884488;"
            "keyid=\"k\"");

  // The same from a parsed Signature-Input member: re-serialization is canonical.
  Arena arena;
  sf::Dictionary d;
  ASSERT_TRUE(sf::parse_dictionary(
      "install=(  \"@method\"   \"@target-uri\" \"approov-token\" );alg=\"ecdsa-p256-sha256\";"
      "  created=1618884473;expires=1618884488;keyid=\"k\"",
      arena, d));
  const sf::Member* m = d.find("install");
  ASSERT_NE(m, nullptr);
  w = sf::serialize_inner_list(m->items, m->params, out, sizeof out);
  EXPECT_EQ(w.view(out),
            "(\"@method\" \"@target-uri\" \"approov-token\");alg=\"ecdsa-p256-sha256\";"
            "created=1618884473;expires=1618884488;keyid=\"k\"");
}

TEST(StructuredFields, SerializeMemberValueForKeyComponents) {
  // RFC 9421 §2.1.2: `;key="k"` re-serializes one member's value, `;sf` the whole field.
  Arena arena;
  sf::Dictionary d;
  ASSERT_TRUE(sf::parse_dictionary("a=1,    b=2;x=1;y=2,   c=(a   b   c), d", arena, d));
  char out[64];
  const std::pair<const char*, const char*> expected[] = {
      {"a", "1"}, {"b", "2;x=1;y=2"}, {"c", "(a b c)"}, {"d", "?1"}};
  for (const auto& [key, value] : expected) {
    const sf::Member* m = d.find(key);
    ASSERT_NE(m, nullptr) << key;
    EXPECT_EQ(sf::serialize_member_value(*m, out, sizeof out).view(out), value) << key;
  }
  EXPECT_EQ(sf::serialize_dictionary(d, out, sizeof out).view(out),
            "a=1, b=2;x=1;y=2, c=(a b c), d");
}

TEST(StructuredFields, SerializeBuiltDictionaryAndList) {
  const sf::Parameter p[] = {{"q", sf::make_decimal(5, 1)}, {"t", sf::make_boolean(true)}};
  const sf::Item inner[] = {{sf::make_token("x"), {}}, {sf::make_integer(2), p}};
  sf::Member members[3];
  members[0].key = "a";
  members[0].value = sf::make_boolean(true);
  members[0].params = p;
  members[1].key = "b";
  members[1].inner_list = true;
  members[1].items = inner;
  members[2].key = "c";
  members[2].value = sf::make_boolean(false);
  char out[128];
  sf::Dictionary d{members};
  EXPECT_EQ(sf::serialize_dictionary(d, out, sizeof out).view(out),
            "a;q=0.5;t, b=(x 2;q=0.5;t), c=?0");
  sf::List l{members};
  EXPECT_EQ(sf::serialize_list(l, out, sizeof out).view(out), "?1;q=0.5;t, (x 2;q=0.5;t), ?0");
  EXPECT_EQ(sf::serialize_list(sf::List{}, out, sizeof out).view(out), "");
  EXPECT_EQ(sf::serialize_dictionary(sf::Dictionary{}, out, sizeof out).view(out), "");

  members[2].key = "C";
  EXPECT_EQ(sf::serialize_dictionary(d, out, sizeof out).error, sf::Error::not_serializable);
  members[2].key = "";
  EXPECT_EQ(sf::serialize_dictionary(d, out, sizeof out).error, sf::Error::not_serializable);
  const sf::Parameter bad[] = {{"k y", sf::make_integer(1)}};
  const sf::Item with_bad = {sf::make_integer(1), bad};
  EXPECT_EQ(sf::serialize_item(with_bad, out, sizeof out).error, sf::Error::not_serializable);
}

TEST(StructuredFields, SerializeReportsTheRoomItNeeds) {
  const sf::Item item{sf::make_string("hello"), {}};
  char out[8];
  std::memset(out, '#', sizeof out);
  sf::Written w = sf::serialize_item(item, out, 6);
  EXPECT_EQ(w.error, sf::Error::no_room);
  EXPECT_EQ(w.size, 7u);
  EXPECT_EQ(out[6], '#') << "nothing written past the capacity";
  EXPECT_EQ(w.view(out), "");
  w = sf::serialize_item(item, out, 7);
  EXPECT_EQ(w.view(out), "\"hello\"");
  w = sf::serialize_item(item, nullptr, 0);
  EXPECT_EQ(w.error, sf::Error::no_room);
  EXPECT_EQ(w.size, 7u);
}

TEST(StructuredFields, DescribeNamesEveryError) {
  for (int e = 0; e <= static_cast<int>(sf::Error::not_serializable); ++e) {
    const char* text = sf::describe(static_cast<sf::Error>(e));
    EXPECT_STRNE(text, "unknown error") << e;
  }
  EXPECT_STREQ(sf::describe(sf::Error::duplicate_key), "duplicate dictionary key");
}

}  // namespace
}  // namespace approov::test
