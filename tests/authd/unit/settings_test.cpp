// Settings from flags and the config file (core/settings.hpp), as the sidecar parses them.
#include "core/settings.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "test_files.hpp"

namespace approov::authd {
namespace {

using test::TempDir;

Configured<Settings> parse(std::vector<std::string> args) {
  return load_settings(args);
}

std::string error_of(std::vector<std::string> args) {
  auto r = load_settings(args);
  return r ? std::string("(accepted)") : r.error();
}

TEST(Settings, DefaultsWithOneListener) {
  auto r = parse({"--listen", "127.0.0.1:8081"});
  ASSERT_TRUE(r) << r.error();
  const Settings& s = r.value();
  EXPECT_EQ(s.listen, std::vector<std::string>{"127.0.0.1:8081"});
  EXPECT_EQ(s.threads, 1u);
  EXPECT_EQ(s.header_limit, 64u * 1024);
  EXPECT_EQ(s.token_header, "Approov-Token");
  EXPECT_EQ(s.token_prefix, "");
  EXPECT_EQ(s.failure.status, 401);
  EXPECT_TRUE(s.claim_headers);
  EXPECT_FALSE(s.cors_preflight);
  EXPECT_FALSE(s.report_only);
  EXPECT_EQ(s.uri_headers, (std::vector<std::string>{"X-Original-URI", "X-Forwarded-Uri"}));
  EXPECT_TRUE(s.routes.empty());
  EXPECT_EQ(s.log_rate, 20);
  EXPECT_EQ(s.leeway, 0);
}

TEST(Settings, FlagsInBothForms) {
  auto r =
      parse({"--listen=127.0.0.1:1", "--threads", "4", "--token-prefix=Bearer ", "--claim-headers",
             "off", "--cors-preflight=yes", "--leeway", "300", "--failure-status", "403",
             "--idle-timeout-ms", "5", "--log-rate", "0", "--audience", "a", "--issuer=i"});
  ASSERT_TRUE(r) << r.error();
  const Settings& s = r.value();
  EXPECT_EQ(s.threads, 4u);
  EXPECT_EQ(s.token_prefix, "Bearer ");
  EXPECT_FALSE(s.claim_headers);
  EXPECT_TRUE(s.cors_preflight);
  EXPECT_EQ(s.leeway, 300);
  EXPECT_EQ(s.failure.status, 403);
  EXPECT_EQ(s.idle_timeout.count(), 5);
  EXPECT_EQ(s.log_rate, 0);
  EXPECT_EQ(s.audience, "a");
  EXPECT_EQ(s.issuer, "i");
}

TEST(Settings, BadValuesNameTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {{}, "no listener"},
      {{"--listen", "x:1", "--leeway", "301"}, "--leeway"},
      {{"--listen", "x:1", "--leeway", "-1"}, "--leeway"},
      {{"--listen", "x:1", "--threads", "0"}, "--threads"},
      {{"--listen", "x:1", "--threads", "257"}, "--threads"},
      {{"--listen", "x:1", "--threads", "+2"}, "--threads"},
      {{"--listen", "x:1", "--header-limit", "1023"}, "--header-limit"},
      {{"--listen", "x:1", "--failure-status", "500"}, "--failure-status"},
      {{"--listen", "x:1", "--failure-status", "399"}, "--failure-status"},
      {{"--listen", "x:1", "--token-header", "Bad Header"}, "--token-header"},
      {{"--listen", "x:1", "--uri-header", "X:Y"}, "--uri-header"},
      {{"--listen", "x:1", "--token-prefix", "a\x01"}, "--token-prefix"},
      {{"--listen", "x:1", "--claim-headers", "maybe"}, "--claim-headers"},
      {{"--listen", "x:1", "--secret-encoding", "hex"}, "--secret-encoding"},
      {{"--listen", "x:1", "--bogus", "1"}, "--bogus"},
      {{"--listen", "x:1", "--threads"}, "--threads"},
      {{"--listen", "x:1", "stray"}, "not expected: stray"},
      {{"--listen", "x:1", "--cors-preflight", "maybe"}, "--cors-preflight: expected on or off"},
      {{"--listen", "x:1", "--cors-preflight=2"}, "--cors-preflight: expected on or off"},
      {{"--listen", "x:1", "--secret-file", "kid="}, "--secret-file: empty path"},
      {{"--listen", "x:1", "--secret-file", "a=/x", "--secret-file", "a=/y"}, "given twice"},
      {{"--listen", "x:1", "--route", "/x"}, "--route: route: missing mode"},
      {{"--listen", ""}, "empty address"},
  };
  for (const Case& c : cases) {
    const std::string err = error_of(c.args);
    EXPECT_NE(err.find(c.needle), std::string::npos) << err;
  }
}

TEST(Settings, HelpAndCheckConfig) {
  auto help = parse({"--help"});
  ASSERT_TRUE(help);  // no listener needed for --help
  EXPECT_TRUE(help.value().help);
  auto check = parse({"--listen", "x:1", "--check-config"});
  ASSERT_TRUE(check);
  EXPECT_TRUE(check.value().check_config);
  EXPECT_NE(usage().find("--secret-encoding"), std::string::npos);
}

TEST(Settings, ConfigFileThenFlagsOverride) {
  TempDir dir;
  const std::string conf = dir.write("authd.conf",
                                     "# comment\n"
                                     "\n"
                                     "listen = 127.0.0.1:1\n"
                                     "listen = 127.0.0.1:2\n"
                                     "  threads = 2  \r\n"
                                     "token-prefix = Bearer \n"
                                     "failure-body = {\"error\": \"no\"}\n"
                                     "uri-header = X-A\n"
                                     "uri-header = X-B\n");
  auto r = parse({"--threads", "3", "--config", conf});
  ASSERT_TRUE(r) << r.error();
  const Settings& s = r.value();
  EXPECT_EQ(s.config_path, conf);
  EXPECT_EQ(s.listen, (std::vector<std::string>{"127.0.0.1:1", "127.0.0.1:2"}));
  EXPECT_EQ(s.threads, 3u);             // the flag wins wherever --config stands
  EXPECT_EQ(s.token_prefix, "Bearer");  // bare values are trimmed: quote to keep a blank
  EXPECT_EQ(s.failure.body, "{\"error\": \"no\"}");
  EXPECT_EQ(s.uri_headers, (std::vector<std::string>{"X-A", "X-B"}));  // replaced, then added

  // --listen flags replace the file's listeners instead of adding to them.
  auto flags = parse({"--config", conf, "--listen", "unix:/run/a", "--listen", "127.0.0.1:3"});
  ASSERT_TRUE(flags) << flags.error();
  EXPECT_EQ(flags.value().listen, (std::vector<std::string>{"unix:/run/a", "127.0.0.1:3"}));
}

TEST(Settings, ConfigFileErrorsNameFileAndLine) {
  TempDir dir;
  struct Case {
    std::string text;
    std::string needle;
  };
  for (const Case& c : std::vector<Case>{
           {"listen = x:1\nthreads = lots\n", ":2: threads: expected 1..256"},
           {"listen = x:1\njust words\n", ":2: expected `key = value` or `route ...`"},
           {"nonsense = 1\n", ":1: unknown setting nonsense"},
           {"route\n", ":1: expected `key = value`"},  // `route` alone is not a route line
           {"route /x\n", ":1: route: missing mode"},
           {"route /x sometimes\n", ":1: route: expected protected, unprotected"},
           {"route /x unprotected extra\n", ":1: route: expected protected"},
           {"route /x report-only unprotected\n", ":1: route: report-only needs a checked"},
           {"route /x binding\n", ":1: route: binding needs at least one header name"},
           {"route /x binding Bad:Name\n", ":1: route: bad header name Bad:Name"},
           {"route /a/../b protected\n", ":1: route /a/../b: the prefix has a . or .."},
           {"threads = 1\nthreads = 2\n", ":2: threads: set twice (first at "},
           {"config = other.conf\n", ":1: config: only as --config or APPROOV_AUTHD_CONFIG"},
           {"token-prefix = \"Bearer \n", ":1: token-prefix: missing the closing \""},
           {"token-prefix = \"Bearer \" x\n", ":1: token-prefix: only a comment may follow"},
           {"failure-body = \"\\q\"\n", ":1: failure-body: unknown escape \\q"},
           {"[section]\n", ":1: expected `key = value` or `route ...`"},
       }) {
    const std::string conf = dir.write("c.conf", c.text);
    const std::string err = error_of({"--config", conf});
    EXPECT_EQ(err.rfind(conf, 0), 0u) << err;
    EXPECT_NE(err.find(c.needle), std::string::npos) << c.text << " -> " << err;
  }
  EXPECT_NE(error_of({"--listen", "x:1", "--config", dir.path("missing.conf")})
                .find("cannot read config file " + dir.path("missing.conf")),
            std::string::npos);
}

TEST(Settings, RouteLines) {
  TempDir dir;
  const std::string conf = dir.write("authd.conf",
                                     "listen = x:1\n"
                                     "route / protected\n"
                                     "route\t/health  unprotected\n"
                                     "route /pay binding Authorization X-Device-Id\n"
                                     "route /beta report-only\n"
                                     "route /beta/pay report-only binding Authorization\n"
                                     "route //v1//%61pi/ protected\n");
  auto r = parse({"--config", conf});
  ASSERT_TRUE(r) << r.error();
  const auto& routes = r.value().routes;
  ASSERT_EQ(routes.size(), 6u);
  EXPECT_EQ(routes[0].prefix, "/");
  EXPECT_EQ(routes[0].policy.protection, Protection::token);
  EXPECT_EQ(routes[0].source, conf + ":2");
  EXPECT_EQ(routes[1].prefix, "/health");
  EXPECT_EQ(routes[1].policy.protection, Protection::none);
  EXPECT_EQ(routes[2].policy.protection, Protection::token_binding);
  EXPECT_EQ(routes[2].policy.binding.headers,
            (std::vector<std::string>{"Authorization", "X-Device-Id"}));
  EXPECT_TRUE(routes[3].policy.report_only);
  EXPECT_EQ(routes[3].policy.protection, Protection::token);
  EXPECT_TRUE(routes[4].policy.report_only);
  EXPECT_EQ(routes[4].policy.protection, Protection::token_binding);
  EXPECT_EQ(routes[5].prefix, "/v1/api");
}

TEST(Settings, PrefixesEqualUnderFoldingAreRefusedNamingBothLines) {
  TempDir dir;
  for (const auto& [first, second] :
       std::vector<std::pair<std::string, std::string>>{{"/api", "/API"},
                                                        {"/api", "/api/"},
                                                        {"/Api/X", "/aPI//x"},
                                                        {"/api", "/%61pi"},
                                                        {"/", "//"}}) {
    const std::string conf =
        dir.write("c.conf", "route " + first + " protected\nroute " + second + " unprotected\n");
    const std::string err = error_of({"--listen", "x:1", "--config", conf});
    EXPECT_NE(err.find(conf + ":2"), std::string::npos) << err;
    EXPECT_NE(err.find(conf + ":1"), std::string::npos) << err;
    EXPECT_NE(err.find("duplicate prefix"), std::string::npos) << err;
  }
}

TEST(Settings, BindingHeaderFlagIsForSimpleModeOnly) {
  TempDir dir;
  const std::string conf = dir.write("c.conf", "route / protected\n");
  EXPECT_NE(error_of({"--listen", "x:1", "--config", conf, "--token-binding-header", "A"})
                .find("simple mode only"),
            std::string::npos);
  auto simple =
      parse({"--listen", "x:1", "--token-binding-header", "A", "--token-binding-header", "B"});
  ASSERT_TRUE(simple);
  EXPECT_EQ(simple.value().binding_headers, (std::vector<std::string>{"A", "B"}));
}

}  // namespace
}  // namespace approov::authd

namespace approov::authd {
namespace {

using Env = std::map<std::string, std::string>;
using test::TempDir;

std::string value_of(std::string_view text) {
  std::string value;
  std::string error;
  if (!parse_config_value(text, value, error)) return "error: " + error;
  return value;
}

TEST(ConfigValue, QuotingAndComments) {
  const std::vector<std::pair<std::string_view, std::string>> cases = {
      {" 127.0.0.1:8081          # repeatable", "127.0.0.1:8081"},
      {" Bearer ", "Bearer"},
      {" \"Bearer \"", "Bearer "},
      {" \"Bearer \"   # the space is kept", "Bearer "},
      {" 'Bearer '", "Bearer "},
      {" 'C:\\path\\x' # literal", "C:\\path\\x"},
      {R"( "a \"quoted\" \\ \t tab")", "a \"quoted\" \\ \t tab"},
      {R"( "caf\u00e9 \u20ac")", "caf\xC3\xA9 \xE2\x82\xAC"},
      {" {\"a\":\"#x\"}", "{\"a\":\"#x\"}"},  // a # inside bare text stays
      {" {} # JSON", "{}"},
      {" a#b", "a#b"},
      {"", ""},
      {"   ", ""},
      {" # only a comment", ""},
      {" \"\"", ""},
      {" \"#\"", "#"},
      {" \"unterminated", "error: missing the closing \""},
      {" 'unterminated", "error: missing the closing '"},
      {" \"a\" b", "error: only a comment may follow a quoted value"},
      {R"( "\x")", "error: unknown escape \\x (write \\\\ for a backslash)"},
      {R"( "\u12")", "error: \\u needs four hex digits"},
      {R"( "\ud800")", "error: \\u names a surrogate, not a character"},
      {" \"a\x01b\"", "error: control character in a quoted value"},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(value_of(text), want) << text;
}

TEST(SettingsTable, EveryNameOnceWithItsVariableAndHelp) {
  std::set<std::string_view> names;
  for (const SettingSpec& spec : setting_specs()) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    EXPECT_FALSE(spec.help.empty()) << spec.name;
    EXPECT_EQ(spec.kind == SettingKind::list, static_cast<bool>(spec.clear)) << spec.name;
    const std::string flag = "--" + std::string(spec.name) + " ";
    const std::string toggle = "--" + std::string(spec.name) + ", --no-" + std::string(spec.name);
    EXPECT_NE(usage().find(spec.kind == SettingKind::toggle ? toggle : flag), std::string::npos)
        << spec.name;
  }
  EXPECT_EQ(environment_name("cors-preflight"), "APPROOV_AUTHD_CORS_PREFLIGHT");
  EXPECT_EQ(environment_name("idle-timeout-ms"), "APPROOV_AUTHD_IDLE_TIMEOUT_MS");
  EXPECT_NE(version_text().find("approov-authd "), std::string::npos);
}

TEST(Settings, PrecedenceFlagThenVariableThenFileThenDefault) {
  TempDir dir;
  const std::string conf = dir.write("c.conf",
                                     "listen = 127.0.0.1:1\nthreads = 2\nleeway = 10\n"
                                     "uri-header = X-File\ntoken-prefix = \"File \"\n");
  const Env env{{"APPROOV_AUTHD_THREADS", "3"},
                {"APPROOV_AUTHD_LEEWAY", "20"},
                {"APPROOV_AUTHD_URI_HEADER", " X-Env-A , X-Env-B,"},
                {"APPROOV_AUTHD_UNRELATED", "x"},
                {"OTHER", "y"}};
  auto r = load_settings({"--config", conf, "--threads", "4"}, env);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r.value().threads, 4u);               // flag
  EXPECT_EQ(r.value().leeway, 20);                // variable
  EXPECT_EQ(r.value().token_prefix, "File ");     // file
  EXPECT_EQ(r.value().header_limit, 64u * 1024);  // default
  EXPECT_EQ(r.value().uri_headers, (std::vector<std::string>{"X-Env-A", "X-Env-B"}));
  EXPECT_EQ(r.value().listen, std::vector<std::string>{"127.0.0.1:1"});
  // The config file itself may come from the environment; the flag wins.
  auto from_env = load_settings({}, Env{{"APPROOV_AUTHD_CONFIG", conf}});
  ASSERT_TRUE(from_env) << from_env.error();
  EXPECT_EQ(from_env.value().config_path, conf);
  EXPECT_EQ(from_env.value().threads, 2u);
  auto missing = load_settings({"--config", conf}, Env{{"APPROOV_AUTHD_CONFIG", "/nonexistent"}});
  EXPECT_TRUE(missing) << missing.error();
}

// The variables the example servers read configure the sidecar too; its own APPROOV_AUTHD_*
// name for a setting wins over them, and a flag over both.
TEST(Settings, TheServersVariablesConfigureTheSidecarBelowItsOwn) {
  const Env shared{{"APPROOV_AUTHD_LISTEN", "127.0.0.1:1"},
                   {"APPROOV_JWKS_FILE", "/etc/approov/keys.jwks"},
                   {"APPROOV_JWKS_URL", "https://keys.example.com/jwks"},
                   {"APPROOV_JWKS_CA_FILE", "/etc/approov/ca.pem"},
                   {"APPROOV_AUDIENCE", "api.example.com"},
                   {"APPROOV_ISSUER", "acme.approov.io"},
                   {"APPROOV_REPLAY_STORE", "memory"},
                   {"APPROOV_REPLAY_FAIL", "open"},
                   {"APPROOV_SIGNATURE_BASE_URL", "https://api.example.com"}};
  auto r = load_settings({}, shared);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r.value().jwks_file, "/etc/approov/keys.jwks");
  EXPECT_EQ(r.value().jwks_url, "https://keys.example.com/jwks");
  EXPECT_EQ(r.value().jwks_ca_file, "/etc/approov/ca.pem");
  EXPECT_EQ(r.value().audience, std::optional<std::string>("api.example.com"));
  EXPECT_EQ(r.value().issuer, std::optional<std::string>("acme.approov.io"));
  EXPECT_EQ(r.value().replay_store, "memory");
  EXPECT_TRUE(r.value().replay_fail_open);
  EXPECT_EQ(r.value().signature_base_url, "https://api.example.com");

  Env both = shared;
  both["APPROOV_AUTHD_AUDIENCE"] = "own.example.com";
  auto own = load_settings({"--issuer", "flag.approov.io"}, both);
  ASSERT_TRUE(own) << own.error();
  EXPECT_EQ(own.value().audience, std::optional<std::string>("own.example.com"));
  EXPECT_EQ(own.value().issuer, std::optional<std::string>("flag.approov.io"));

  // A bad value is named by the variable it came from.
  auto bad = load_settings(
      {}, Env{{"APPROOV_AUTHD_LISTEN", "127.0.0.1:1"}, {"APPROOV_REPLAY_FAIL", "sometimes"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("APPROOV_REPLAY_FAIL"), std::string::npos) << bad.error();
}

TEST(Settings, VariablesAreValidatedAndNamed) {
  const std::vector<std::pair<Env, std::string>> cases = {
      {{{"APPROOV_AUTHD_LISTEN", "x:1"}, {"APPROOV_AUTHD_THREADS", "0"}},
       "APPROOV_AUTHD_THREADS: expected 1..256"},
      {{{"APPROOV_AUTHD_LISTEN", "x:1"}, {"APPROOV_AUTHD_CLAIM_HEADERS", "maybe"}},
       "APPROOV_AUTHD_CLAIM_HEADERS: expected on or off"},
      {{{"APPROOV_AUTHD_LISTEN", "x:1"}, {"APPROOV_AUTHD_ROUTE", "/ protected;/x sideways"}},
       "APPROOV_AUTHD_ROUTE: route: expected protected"},
      {{{"APPROOV_AUTHD_LISTEN", ""}}, "no listener"},
  };
  for (const auto& [env, needle] : cases) {
    auto r = load_settings({}, env);
    ASSERT_FALSE(r) << needle;
    EXPECT_NE(r.error().find(needle), std::string::npos) << r.error();
  }
  auto routes = load_settings(
      {}, Env{{"APPROOV_AUTHD_LISTEN", "x:1"},
              {"APPROOV_AUTHD_ROUTE", "/ protected; /health unprotected;\n/pay binding A B"}});
  ASSERT_TRUE(routes) << routes.error();
  ASSERT_EQ(routes.value().routes.size(), 3u);
  EXPECT_EQ(routes.value().routes[2].policy.binding.headers, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(routes.value().routes[1].source, "APPROOV_AUTHD_ROUTE");
}

TEST(Settings, SwitchesInEveryForm) {
  struct Case {
    std::vector<std::string> args;
    bool cors;
  };
  for (const Case& c : std::vector<Case>{{{"--cors-preflight"}, true},
                                         {{"--cors-preflight", "--threads", "2"}, true},
                                         {{"--cors-preflight", "on"}, true},
                                         {{"--cors-preflight", "off"}, false},
                                         {{"--cors-preflight=false"}, false},
                                         {{"--cors-preflight=yes"}, true},
                                         {{"--cors-preflight", "--no-cors-preflight"}, false},
                                         {{"--no-cors-preflight"}, false},
                                         {{}, false}}) {
    std::vector<std::string> args{"--listen", "x:1"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = load_settings(args, Env{});
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r.value().cors_preflight, c.cors) << testing::PrintToString(c.args);
  }
  auto both = load_settings({"--listen", "x:1", "--report-only", "--check-config"}, Env{});
  ASSERT_TRUE(both) << both.error();
  EXPECT_TRUE(both.value().report_only);
  EXPECT_TRUE(both.value().check_config);
  auto version = load_settings({"--version"}, Env{});
  ASSERT_TRUE(version);
  EXPECT_TRUE(version.value().version);
  // `--name=` is an empty value, never the next argument.
  auto empty = load_settings({"--failure-body=", "--listen", "x:1"}, Env{});
  ASSERT_TRUE(empty) << empty.error();
  EXPECT_EQ(empty.value().failure.body, "");
  EXPECT_EQ(empty.value().listen, std::vector<std::string>{"x:1"});
  // On the command line the last of a single-valued flag wins (a wrapper may append one).
  auto twice = load_settings({"--listen", "x:1", "--threads", "2", "--threads", "3"}, Env{});
  ASSERT_TRUE(twice) << twice.error();
  EXPECT_EQ(twice.value().threads, 3u);
}

TEST(Settings, SecretFilesWithKeyIds) {
  auto r = load_settings({"--listen", "x:1", "--secret-file", "/etc/a", "--secret-file",
                          "new=/etc/b", "--secret-file", "=/odd=name"},
                         Env{});
  ASSERT_TRUE(r) << r.error();
  const auto& f = r.value().secret_files;
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ((std::pair{f[0].key_id, f[0].path}),
            (std::pair<std::string, std::string>{"", "/etc/a"}));
  EXPECT_EQ((std::pair{f[1].key_id, f[1].path}),
            (std::pair<std::string, std::string>{"new", "/etc/b"}));
  EXPECT_EQ((std::pair{f[2].key_id, f[2].path}),
            (std::pair<std::string, std::string>{"", "/odd=name"}));
}

TEST(Settings, RouteFlags) {
  auto r = load_settings(
      {"--listen", "x:1", "--route", "/ protected", "--route", "/health unprotected"}, Env{});
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r.value().routes.size(), 2u);
  EXPECT_EQ(r.value().routes[1].prefix, "/health");
  EXPECT_EQ(r.value().routes[1].source, "--route");
}

// `message-signing[-required]` sits between report-only and the mode, so that it never reads
// as a header name of a binding route; unprotected routes and a route with nothing after it
// are refused, as is the simple-mode setting next to route lines.
TEST(Settings, MessageSigningOnRouteLines) {
  auto r = load_settings({"--listen", "x:1", "--route", "/a message-signing protected", "--route",
                          "/b report-only message-signing-required binding Authorization",
                          "--route", "/c binding message-signing"},
                         Env{});
  ASSERT_TRUE(r) << r.error();
  const auto& routes = r.value().routes;
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_TRUE(routes[0].policy.signing.enabled);
  EXPECT_FALSE(routes[0].policy.signing.require_signature);
  EXPECT_EQ(routes[0].policy.protection, Protection::token);
  EXPECT_TRUE(routes[1].policy.report_only);
  EXPECT_TRUE(routes[1].policy.signing.require_signature);
  EXPECT_EQ(routes[1].policy.binding.headers, (std::vector<std::string>{"Authorization"}));
  // After the mode it is a header name, as written.
  EXPECT_FALSE(routes[2].policy.signing.enabled);
  EXPECT_EQ(routes[2].policy.binding.headers, (std::vector<std::string>{"message-signing"}));

  for (const char* bad : {"/ message-signing unprotected", "/ message-signing"}) {
    auto e = load_settings({"--listen", "x:1", "--route", bad}, Env{});
    EXPECT_FALSE(e) << bad;
  }
  auto mixed = load_settings(
      {"--listen", "x:1", "--route", "/ protected", "--message-signing", "required"}, Env{});
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.error().find("simple mode only"), std::string::npos) << mixed.error();
  auto simple = load_settings({"--listen", "x:1", "--message-signing", "required", "--replay-store",
                               "memory", "--replay-fail", "open"},
                              Env{});
  ASSERT_TRUE(simple) << simple.error();
  EXPECT_EQ(simple.value().message_signing, SigningMode::required);
  EXPECT_EQ(simple.value().replay_store, "memory");
  EXPECT_TRUE(simple.value().replay_fail_open);
}

}  // namespace
}  // namespace approov::authd
