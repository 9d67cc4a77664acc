// Route prefixes (validation, normalisation) and matching a path against them, every reading
// included (core/routes.hpp).
#include "core/routes.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/uri.hpp"

namespace approov::authd {
namespace {

std::string prefix(const std::string& written) {
  std::string out;
  const std::string err = normalize_prefix(written, "f:1", out);
  return err.empty() ? out : "ERROR " + err;
}

TEST(RoutePrefix, IsNormalizedLikeARequestPath) {
  EXPECT_EQ(prefix("/"), "/");
  EXPECT_EQ(prefix("//"), "/");
  EXPECT_EQ(prefix("/admin/"), "/admin");  // also covers the bare path
  EXPECT_EQ(prefix("//v1//%61pi"), "/v1/api");
  EXPECT_EQ(prefix("/Keep/Case"), "/Keep/Case");
}

TEST(RoutePrefix, ThatCannotMatchIsRefusedNamingTheLine) {
  struct Case {
    std::string written;
    std::string_view needle;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"/caf%C3%A9", "ASCII"},
           {"/caf\xC3\xA9", "ASCII"},
           {"/a/../b", "dot segment"},
           {"/a/./b", "dot segment"},
           {"/a;v=1", ";"},
           {"/a%3Bb", ";"},
           {"/a%2Fb", "encoded"},
           {"/a\\b", "backslash"},
           {"/a%zz", "escape"},
           {"/a%00", "control"},
           {"/a\x01", "control"},
           {"/a?x=1", "query"},
           {"/a#f", "fragment"},
           {"/api/*", "wildcard"},
           {"/a.", "dot"},
           {"/a%20", "space"},
           {"/a%2561", "encoded twice"},
           {"api", "start with /"},
           {"", "start with /"},
       }) {
    std::string out;
    const std::string err = normalize_prefix(c.written, "authd.conf:7", out);
    EXPECT_EQ(err.rfind("authd.conf:7: route " + c.written + ": ", 0), 0u) << err;
    EXPECT_NE(err.find(c.needle), std::string::npos) << c.written << " -> " << err;
  }
}

Route route(std::string_view p, Protection protection = Protection::token) {
  Route r;
  EXPECT_EQ(normalize_prefix(std::string(p), "test", r.prefix), "");
  r.policy.protection = protection;
  r.source = std::string(p);
  return r;
}

RouteTable table(std::initializer_list<std::pair<std::string_view, Protection>> routes) {
  std::vector<Route> v;
  for (const auto& [p, protection] : routes) v.push_back(route(p, protection));
  return RouteTable(std::move(v));
}

constexpr Protection kOpen = Protection::none;
constexpr Protection kToken = Protection::token;

// The prefixes of the routes every reading of `path` selects, the path as written first;
// "-" when the path matches none (or is refused).
std::string readings(const RouteTable& t, std::string_view target) {
  std::string path;
  std::string scratch;
  if (!normalize_path(target, path)) return "bad_uri";
  const RouteTable::Matches m = t.match_readings(path, scratch);
  if (m.count == 0) return "-";
  std::string out;
  for (std::size_t i = 0; i < m.count; ++i) {
    if (i > 0) out += " ";
    out += m.routes[i]->prefix;
  }
  return out;
}

struct Expected {
  std::string_view target;
  std::string_view routes;  // as `readings` gives them
};

void expect_readings(const RouteTable& t, std::initializer_list<Expected> cases) {
  for (const Expected& c : cases) EXPECT_EQ(readings(t, c.target), c.routes) << c.target;
}

TEST(RouteTable, IsSortedLongestPrefixFirst) {
  const RouteTable t = table({{"/", kOpen}, {"/api/pay", kToken}, {"/api", kToken}});
  ASSERT_EQ(t.routes().size(), 3u);
  EXPECT_EQ(t.routes()[0].prefix, "/api/pay");
  EXPECT_EQ(t.routes()[1].prefix, "/api");
  EXPECT_EQ(t.routes()[2].prefix, "/");
}

TEST(RouteTable, LongestPrefixOnWholeSegments) {
  const RouteTable t =
      table({{"/", kToken}, {"/public", kOpen}, {"/api", kToken}, {"/api/pay", kToken}});
  // path -> route as written, for each path
  std::string got;
  for (std::string_view path : {"/public/x", "/public", "/public/", "/publicity", "/api/pay/now",
                                "/api/payments", "/PUBLIC/x"}) {
    const Route* r = t.match(path);
    got += std::string(path) + "->" + (r == nullptr ? "-" : r->prefix) + " ";
  }
  EXPECT_EQ(got,
            "/public/x->/public /public->/public /public/->/public /publicity->/ "
            "/api/pay/now->/api/pay /api/payments->/api "
            "/PUBLIC/x->/ ");  // bytes compared exactly as written
}

TEST(RouteTable, NoRouteMeansNoMatchWhateverTheReadings) {
  const RouteTable t = table({{"/only", kToken}, {"/other", kOpen}});
  expect_readings(t, {
                         {"/elsewhere", "-"},
                         {"/ONLY/x", "-"},  // no route as written: denied
                         {"/only/x", "/only"},
                     });
}

TEST(RouteTable, CaseVariantsOfAProtectedPrefixAddItsRoute) {
  const RouteTable t = table({{"/", kOpen}, {"/api", kToken}, {"/api/open", kOpen}});
  expect_readings(t, {
                         {"/API/x", "/ /api"},
                         {"/Api", "/ /api"},
                         {"/%41PI/x", "/ /api"},
                         {"/api/x", "/api"},
                         {"/API/open/x", "/ /api/open"},
                         {"/apix", "/"},
                     });
  // a prefix written in capitals covers its lower-case spelling too
  const RouteTable caps = table({{"/", kOpen}, {"/Admin", kToken}});
  expect_readings(caps, {
                            {"/admin", "/ /Admin"},
                            {"/ADMIN/x", "/ /Admin"},
                        });
}

TEST(RouteTable, AnUnprotectedRouteNeverTakesAProtectedPathByCase) {
  // /PUBLIC/x stays under `/` as written; the loose reading only adds /public.
  const RouteTable t = table({{"/", kToken}, {"/public", kOpen}});
  expect_readings(t, {
                         {"/PUBLIC/x", "/ /public"},
                         {"/public/x", "/public"},
                     });
}

TEST(RouteTable, TrailingSlashInAPrefixProtectsTheBarePath) {
  const RouteTable t = table({{"/", kOpen}, {"/admin/", kToken}});
  expect_readings(t, {
                         {"/admin", "/admin"},
                         {"/admin/", "/admin"},
                         {"//admin//", "/admin"},
                         {"/administrator", "/"},
                     });
}

TEST(RouteTable, SuffixReadings) {
  const RouteTable t = table({{"/", kOpen}, {"/api", kToken}});
  expect_readings(t, {
                         {"/api.json", "/ /api"},
                         {"/API.json", "/ /api"},
                         {"/api.x.y/", "/ /api"},
                         {"/api.json/x", "/"},
                         {"/apijson", "/"},
                     });
}

TEST(RouteTable, EveryReadingCountsNotJustTheLoosest) {
  // Case-insensitive without suffix matching serves /A/b.json from /a (not /a/b).
  const RouteTable t = table({{"/", kOpen}, {"/a", kToken}, {"/a/b", kOpen}});
  expect_readings(t, {
                         {"/A/b.json", "/ /a /a/b"},
                         {"/a/b.json", "/a /a/b"},
                         {"/a/b", "/a/b"},
                         {"/A/B/x", "/ /a/b"},
                     });
}

TEST(RouteTable, CharactersThatCaseFoldToAscii) {
  const RouteTable t = table({{"/", kOpen},
                              {"/api", kToken},
                              {"/class", kToken},
                              {"/file", kToken},
                              {"/kit", kToken},
                              {"/stuff", kToken}});
  expect_readings(t, {
                         {"/ap%C4%B1", "/ /api"},
                         {"/AP%C4%B0/x", "/ /api"},
                         {"/cla%C3%9F", "/ /class"},
                         {"/CLA%E1%BA%9E", "/ /class"},
                         {"/%EF%AC%81le", "/ /file"},
                         {"/%E2%84%AAit", "/ /kit"},
                         {"/%EF%AC%86u%EF%AC%80", "/ /stuff"},
                         {"/%EF%AC%81le.json", "/ /file"},  // folded and with the suffix
                         {"/a%C5%BFx", "/"},
                         {"/caf%C3%A9", "/"},
                     });
}

TEST(RouteTable, TheRouteOfEachReadingIsListedOnce) {
  // /x/y: /x as written, /x/Y read case-insensitively: both must pass.
  const RouteTable t = table({{"/x", Protection::token_binding}, {"/x/Y", kToken}});
  expect_readings(t, {
                         {"/x/y", "/x /x/Y"},
                         {"/x/Y", "/x/Y"},
                     });
  // Every reading giving the same route: one entry.
  const RouteTable one = table({{"/", kOpen}, {"/api", kToken}});
  EXPECT_EQ(readings(one, "/api/v.json"), "/api");
}

TEST(RouteTable, SimpleModeHasOneRouteForEveryPath) {
  const RouteTable t = table({{"/", kToken}});
  expect_readings(t, {
                         {"/ANY.json", "/"},
                         {"/ap%C4%B1", "/"},
                     });
}

TEST(RouteTable, EachReadingCanAddItsOwnRoute) {
  // As written `/`; any case `/A`; suffix `/a/b`; any case with suffix `/A/B.C`; the Kelvin
  // sign folded to k, any case with suffix, `/A/B.C.DK`.
  const RouteTable t = table(
      {{"/", kOpen}, {"/A", kToken}, {"/a/b", kToken}, {"/A/B.C", kToken}, {"/A/B.C.DK", kToken}});
  EXPECT_EQ(readings(t, "/a/b.c.d%E2%84%AA.e"), "/ /A /a/b /A/B.C /A/B.C.DK");
}

}  // namespace
}  // namespace approov::authd
