// `approov-token sign`: the RFC 9421 headers Approov's SDK adds to a request (Signature-Input,
// Signature, and Content-Digest for a body), made from a request described on the command
// line, so that a message-signing integration can be tested with curl and without a phone.
// The signature base is built by the library's own builder, from the same parsed
// Signature-Input the verifier reads. Nothing secret is printed: the base, which holds the
// token, goes to stderr only with --debug.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "approov/config.hpp"
#include "approov/dotenv.hpp"
#include "approov/request.hpp"
#include "approov/token_verifier.hpp"
#include "commands.hpp"
#include "internal/text.hpp"
#include "signing/request_signer.hpp"
#include "signing_commands.hpp"

namespace approov_cli {

namespace {

constexpr std::int64_t kDefaultTtl = 15;  // what Approov's SDKs use
constexpr std::size_t kMaxKeyFile = 64 * 1024;
constexpr std::size_t kMaxBody = 64 * 1024 * 1024;

struct SignArgs {
  std::string key_file;
  std::string account_secret;
  bool no_dotenv = false;
  std::string method;
  std::string url;
  std::vector<std::string> headers;
  std::string body_file;
  std::int64_t created = 0;
  std::int64_t ttl = kDefaultTtl;
  std::vector<std::string> components;
  std::string form = "binary";
  std::string token_header = "Approov-Token";
  std::string keyid, nonce, tag;
  bool debug = false;
  CLI::Option* created_opt = nullptr;
  CLI::Option* keyid_opt = nullptr;
  CLI::Option* nonce_opt = nullptr;
  CLI::Option* tag_opt = nullptr;
};

int usage(const std::string& message) {
  std::cerr << "approov-token sign: " << message << '\n';
  return kExitUsage;
}

bool read_file(const std::string& path, std::size_t limit, std::string& out, std::string& error) {
  std::istream* in = &std::cin;
  std::ifstream file;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      error = "cannot open " + path;
      return false;
    }
    in = &file;
  }
  out.assign(std::istreambuf_iterator<char>(*in), std::istreambuf_iterator<char>());
  if (in->bad()) {
    error = "cannot read " + path;
    return false;
  }
  if (out.size() > limit) {
    error = path + " is larger than " + std::to_string(limit) + " bytes";
    return false;
  }
  return true;
}

bool has_control(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

// The request as curl sends it for --url: scheme, authority, and the request target (path and
// query; an empty path is "/", a fragment is never sent).
struct Url {
  std::string scheme, authority, target;
};

std::optional<Url> parse_url(std::string_view url, std::string& error) {
  const std::size_t sep = url.find("://");
  Url out;
  if (sep != std::string_view::npos) {
    for (char c : url.substr(0, sep)) {
      out.scheme += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
  }
  if (out.scheme != "http" && out.scheme != "https") {
    error = "--url must be an absolute http:// or https:// URL";
    return std::nullopt;
  }
  std::string_view rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find('#'));
  const std::size_t path_at = rest.find_first_of("/?");
  out.authority = std::string(rest.substr(0, path_at));
  if (out.authority.empty() || out.authority.find('@') != std::string::npos) {
    error = "--url needs a host, and no user:password@";
    return std::nullopt;
  }
  out.target =
      path_at == std::string_view::npos ? std::string() : std::string(rest.substr(path_at));
  if (out.target.empty() || out.target.front() == '?') out.target.insert(0, "/");
  for (char c : url) {
    if (c == ' ' || has_control(std::string_view(&c, 1))) {
      error = "--url must not contain spaces or control characters (percent-encode them)";
      return std::nullopt;
    }
  }
  return out;
}

// "Name: value" -> (Name, value trimmed), as curl's -H takes it.
bool parse_header(const std::string& spec, std::pair<std::string, std::string>& out,
                  std::string& error) {
  const std::size_t colon = spec.find(':');
  const std::string name = colon == std::string::npos ? spec : spec.substr(0, colon);
  bool token = !name.empty();
  for (char c : name) token = token && approov::text::is_tchar(c);
  if (colon == std::string::npos || !token) {
    // The value may be a token: name the header only.
    error = "--header expects 'Name: value' with a valid field name (got \"" +
            (token ? name : std::string("...")) + "\")";
    return false;
  }
  const std::string_view value = approov::trim_ows(std::string_view(spec).substr(colon + 1));
  if (has_control(value)) {
    error = "--header " + name + ": the value has a control character";
    return false;
  }
  out = {name, std::string(value)};
  return true;
}

// A --component as written in Signature-Input ("\"@method\"", "\"x-custom\";sf"), or a bare
// name (@method, x-custom;sf) that is quoted here for convenience.
std::string component_identifier(const std::string& spec) {
  if (!spec.empty() && spec.front() == '"') return spec;
  const std::size_t semi = spec.find(';');
  return "\"" + spec.substr(0, semi) + "\"" + (semi == std::string::npos ? "" : spec.substr(semi));
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : nullptr;
}

// The account secret: --account-secret, or the servers' variables (after .env).
approov::Configured<approov::Secret> account_secret(const SignArgs& args) {
  if (!args.account_secret.empty()) {
    return approov::decode_secret(args.account_secret, approov::SecretEncoding::base64,
                                  "--account-secret");
  }
  if (!args.no_dotenv) {
    auto loaded = approov::load_dotenv_if_present();
    if (!loaded) return approov::Configured<approov::Secret>::failure(loaded.error());
  }
  if (const char* b64 = env("APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64")) {
    return approov::decode_secret(b64, approov::SecretEncoding::base64,
                                  "APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64");
  }
  if (const char* url = env("APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64URL")) {
    return approov::decode_secret(url, approov::SecretEncoding::base64url,
                                  "APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64URL");
  }
  return approov::Configured<approov::Secret>::failure(
      "no signing key: give --key FILE (an installation key, from `keygen`) or "
      "--account-secret B64, or set APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64 (or "
      "..._BASE64URL)");
}

int run_sign(const SignArgs& args) {
  std::string error;
  // The request, as it will be sent.
  if (args.method.empty() ||
      !std::all_of(args.method.begin(), args.method.end(), approov::text::is_tchar)) {
    return usage("--method must be an HTTP method such as GET or POST");
  }
  const std::optional<Url> url = parse_url(args.url, error);
  if (!url) return usage(error);
  std::vector<std::pair<std::string, std::string>> fields;
  for (const std::string& spec : args.headers) {
    std::pair<std::string, std::string> field;
    if (!parse_header(spec, field, error)) return usage(error);
    fields.push_back(std::move(field));
  }
  std::optional<std::string> body;
  std::string digest;
  if (!args.body_file.empty()) {
    body.emplace();
    if (!read_file(args.body_file, kMaxBody, *body, error)) return usage("--body-file: " + error);
    bool has_digest = false;
    for (const auto& f : fields)
      has_digest = has_digest || approov::iequals(f.first, "content-digest");
    if (!has_digest) {  // a Content-Digest given with --header is used as it is
      digest = approov::signing::content_digest(*body);
      fields.emplace_back("Content-Digest", digest);
    }
  }
  // Like curl, a Host header given with --header is the authority sent.
  std::string authority = url->authority;
  for (const auto& f : fields) {
    if (approov::iequals(f.first, "host")) authority = f.second;
  }
  approov::BasicRequest request;
  request.set_method(args.method).set_scheme(url->scheme).set_authority(authority);
  request.set_target(url->target);
  if (body) request.set_body(std::string_view(*body));
  for (const auto& [name, value] : fields) request.add(name, value);

  // What it is signed over, and when.
  if (approov::count_fields(request, args.token_header).count == 0 && args.components.empty()) {
    return usage(
        "the token header is covered by default: pass the token as a header, e.g. "
        "--header '" +
        args.token_header + ": TOKEN' (or choose --component yourself)");
  }
  approov::signing::SignOptions options;
  if (args.components.empty()) {
    options.components = approov::signing::sdk_components(request, args.token_header);
  } else {
    for (const std::string& c : args.components)
      options.components.push_back(component_identifier(c));
  }
  if (args.form != "binary" && args.form != "string") {
    return usage("--form must be binary (install=:B64:) or string (install=\"B64\")");
  }
  options.string_form = args.form == "string";
  const std::int64_t created = args.created_opt->count() > 0 ? args.created : approov::unix_now();
  if (created < 0 || created > approov::kMaxExp) {
    return usage("--created must be between 0 and " + std::to_string(approov::kMaxExp));
  }
  if (args.ttl < -approov::kMaxExp || args.ttl > approov::kMaxExp) {
    return usage("--ttl must be between -" + std::to_string(approov::kMaxExp) + " and " +
                 std::to_string(approov::kMaxExp));
  }
  options.created = created;
  options.expires = created + args.ttl;
  if (args.keyid_opt->count() > 0) options.keyid = args.keyid;
  if (args.nonce_opt->count() > 0) options.nonce = args.nonce;
  if (args.tag_opt->count() > 0) options.tag = args.tag;
  for (const auto* text : {&options.keyid, &options.nonce, &options.tag}) {
    if (*text && (text->value().find_first_of("\"\\") != std::string::npos || has_control(**text) ||
                  !std::all_of(text->value().begin(), text->value().end(),
                               [](char c) { return static_cast<unsigned char>(c) < 0x80; }))) {
      return usage("--keyid, --nonce and --tag must be printable ASCII without \" or \\");
    }
  }

  // The key.
  std::optional<approov::detail::SigningKey> key;
  std::optional<approov::Secret> secret;
  if (!args.key_file.empty()) {
    auto loaded = read_private_key(args.key_file, "--key");
    if (!loaded) return usage(loaded.error());
    if (!loaded.value().fits(approov::Algorithm::ES256)) {
      return usage("--key " + args.key_file +
                   ": not an EC P-256 private key (installation signatures are "
                   "ecdsa-p256-sha256)");
    }
    key.emplace(std::move(loaded).value());
    options.label = "install";
  } else {
    auto loaded = account_secret(args);
    if (!loaded) return usage(loaded.error());
    secret.emplace(std::move(loaded).value());
    options.label = "account";
  }

  auto signed_headers = approov::signing::sign_request(request, {}, options, key ? &*key : nullptr,
                                                       secret ? &*secret : nullptr);
  if (!signed_headers) {
    // A component the request lacks is a request that cannot be signed as asked (1); any other
    // refusal is a malformed identifier or option (2).
    const bool missing = signed_headers.error().find("missing_component") != std::string::npos;
    std::cerr << "approov-token sign: " << signed_headers.error()
              << (missing ? ": a covered header is not among the --header values, or a "
                            "@query-param is not in the URL"
                          : "")
              << '\n';
    return missing ? kExitInvalid : kExitUsage;
  }
  if (args.debug) {
    std::cerr << "signature base (" << signed_headers.value().base.size() << " bytes):\n"
              << signed_headers.value().base << "\n";
  }
  std::cout << "Signature-Input: " << signed_headers.value().signature_input << '\n'
            << "Signature: " << signed_headers.value().signature << '\n';
  if (!digest.empty()) std::cout << "Content-Digest: " << digest << '\n';
  return kExitOk;
}

}  // namespace

approov::Configured<approov::detail::SigningKey> read_private_key(const std::string& path,
                                                                  const std::string& flag) {
  std::string text, error;
  if (!read_file(path, kMaxKeyFile, text, error)) {
    return approov::Configured<approov::detail::SigningKey>::failure(flag + ": " + error);
  }
  auto key = approov::detail::SigningKey::from_text(text);
  std::fill(text.begin(), text.end(), '\0');
  if (!key) {
    return approov::Configured<approov::detail::SigningKey>::failure(flag + " " + path + ": " +
                                                                     key.error());
  }
  return key;
}

Subcommand add_sign_command(CLI::App& app) {
  auto args = std::make_shared<SignArgs>();
  CLI::App* s = app.add_subcommand(
      "sign", "print the message-signature headers (RFC 9421) Approov's SDK would add");
  auto* key = s->add_option("--key", args->key_file,
                            "installation private key (P-256, PEM or JWK, e.g. from `keygen`): "
                            "an `install` signature (ecdsa-p256-sha256)")
                  ->type_name("FILE")
                  ->group("Key");
  auto* account = s->add_option("--account-secret", args->account_secret,
                                "account message-signing secret in standard base64: an "
                                "`account` signature (hmac-sha256)")
                      ->type_name("B64")
                      ->group("Key");
  key->excludes(account);
  s->add_flag("--no-dotenv", args->no_dotenv, "do not load a .env file")->group("Key");
  s->add_option("--method", args->method, "the request method, e.g. GET")
      ->required()
      ->type_name("M");
  s->add_option("--url", args->url, "the URL exactly as the client requests it")
      ->required()
      ->type_name("URL");
  s->add_option("--header", args->headers,
                "a header the request carries, 'Name: value' (repeatable); the token must be "
                "given this way to be covered: --header 'Approov-Token: TOKEN'")
      ->type_name("'NAME: VALUE'")
      ->allow_extra_args(false);
  s->add_option("--body-file", args->body_file,
                "the request body (- for stdin): adds Content-Digest (sha-256), covered")
      ->type_name("FILE");
  args->created_opt =
      s->add_option("--created", args->created, "created, seconds since the Unix epoch (now)")
          ->type_name("EPOCH");
  s->add_option("--ttl", args->ttl, "expires = created + SECONDS (default 15)")
      ->type_name("SECONDS");
  s->add_option("--component", args->components,
                "a covered component, as written in Signature-Input ('\"@method\"', "
                "'\"x-custom\";sf') or bare (@method); repeatable, replaces the default list")
      ->type_name("ID")
      ->allow_extra_args(false);
  s->add_option("--form", args->form,
                "binary: install=:B64: (RFC 9421); string: install=\"B64\" (Android SDK)")
      ->type_name("binary|string");
  s->add_option("--token-header", args->token_header,
                "the token's header, covered by default (default Approov-Token)")
      ->type_name("NAME");
  args->keyid_opt = s->add_option("--keyid", args->keyid, "add a keyid parameter")->type_name("ID");
  args->nonce_opt = s->add_option("--nonce", args->nonce, "add a nonce parameter")->type_name("N");
  args->tag_opt = s->add_option("--tag", args->tag, "add a tag parameter")->type_name("TAG");
  s->add_flag("--debug", args->debug, "print the signature base on stderr (it holds the token)");
  s->footer(
      "\nPrints the header lines to add to the request, one per line (feed them to curl with\n"
      "`-H @FILE` or `-H @-`):\n"
      "  Signature-Input: install=(\"@method\" \"@target-uri\" \"approov-token\" ...);"
      "alg=...;created=...;expires=...\n"
      "  Signature: install=:BASE64:\n"
      "  Content-Digest: sha-256=:BASE64:        (with --body-file)\n"
      "Default components, as the SDK: @method, @target-uri, the token header, then those of\n"
      "approov-traceid, authorization, content-length, content-type, content-digest the\n"
      "request has (give them with --header). The token is covered only if it is passed with\n"
      "--header. Without --key or --account-secret, the account secret is read from\n"
      "APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64 (or ..._BASE64URL), after .env.\n"
      "Exit status: 0 printed, 1 the request lacks a covered component, 2 usage or key error.\n"
      "Nothing secret is printed; the signature base (it holds the token) only with --debug,\n"
      "on stderr.");
  return {s, [args]() { return run_sign(*args); }};
}

}  // namespace approov_cli
