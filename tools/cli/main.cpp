// approov-token: mint, verify, decode and benchmark Approov tokens from the command line.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "approov/version.hpp"
#include "commands.hpp"
#include "signing_commands.hpp"

namespace {

using namespace approov_cli;

constexpr const char* kSecretHelp =
    "Secret precedence: --secret, --secret-url or --secret-file (at most one); otherwise\n"
    "APPROOV_BASE64_SECRET (standard base64, as printed by `approov secret -get base64`) or\n"
    "APPROOV_BASE64URL_SECRET from the environment, after a .env file in the working\n"
    "directory or the nearest parent holding one has been loaded OVER the environment, as\n"
    "the quickstart servers do (--no-dotenv skips it). Prefer the environment or\n"
    "--secret-file: a --secret value is visible to other users in the process list.\n";

constexpr const char* kExitHelp =
    "Exit status: 0 valid, 1 invalid (the reason code is printed), 2 usage or configuration "
    "error.\n";

void add_secret_options(CLI::App& cmd, SecretOptions& secret) {
  auto* b64 =
      cmd.add_option("--secret", secret.base64, "HMAC secret in standard base64 (padding required)")
          ->type_name("B64");
  auto* url = cmd.add_option("--secret-url", secret.base64url,
                             "HMAC secret in base64url (padding optional)")
                  ->type_name("B64URL");
  auto* file =
      cmd.add_option("--secret-file", secret.file, "file holding the secret in base64 or base64url")
          ->type_name("PATH");
  b64->excludes(url)->excludes(file);
  url->excludes(file);
  const CLI::Validator non_empty(
      [](std::string& value) { return value.empty() ? std::string("must not be empty") : ""; }, "",
      "NON_EMPTY");
  for (auto* opt : {b64, url, file}) opt->group("Secret")->check(non_empty);
  cmd.add_flag("--no-dotenv", secret.no_dotenv, "do not load a .env file")->group("Secret");
}

// Never echo a secret or a token in an error message from the parser (it may quote arguments,
// e.g. "The following argument was not expected: ..."): redact the values of the secret flags
// and anything shaped like a compact JWS.
std::string redact(std::string message, int argc, char** argv) {
  std::vector<std::string> sensitive;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    for (const char* flag : {"--secret=", "--secret-url=", "--account-secret="}) {
      if (arg.rfind(flag, 0) == 0) sensitive.push_back(arg.substr(std::strlen(flag)));
    }
    if ((arg == "--secret" || arg == "--secret-url" || arg == "--account-secret") && i + 1 < argc) {
      sensitive.emplace_back(argv[i + 1]);
    }
    const std::size_t dots = static_cast<std::size_t>(std::count(arg.begin(), arg.end(), '.'));
    if (dots >= 2 && arg.size() >= 20) sensitive.push_back(arg);
  }
  for (const std::string& s : sensitive) {
    if (s.size() < 4) continue;
    for (std::size_t at = message.find(s); at != std::string::npos; at = message.find(s, at)) {
      message.replace(at, s.size(), "<redacted>");
    }
  }
  return message;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Mint, verify, decode and benchmark Approov tokens (HS256 secrets and keysets).",
               "approov-token"};
  app.set_version_flag("--version", std::string("approov-token ") + APPROOV_VERSION_STRING);
  app.require_subcommand(1, 1);
  app.footer(std::string("\n") + kExitHelp + "\n" + kSecretHelp +
             "\nRun `approov-token SUBCOMMAND --help` for each subcommand's options.");

  // verify
  VerifyOptions verify;
  std::string bind_value;
  auto* v = app.add_subcommand("verify", "check a token's signature and claims");
  std::int64_t now = 0, gen_now = 0;
  auto* now_opt = v->add_option("--now", now,
                                "time to verify at, seconds since the Unix epoch "
                                "(default: the system clock)")
                      ->type_name("EPOCH");
  v->add_option("--leeway", verify.leeway, "clock leeway in seconds for exp/nbf/iat (0-300)")
      ->default_val(0)
      ->type_name("SECONDS");
  auto* bind = v->add_option("--bind", bind_value,
                             "turn token binding on: VALUE is the raw bound header value (e.g. "
                             "the full Authorization header); an empty VALUE is a present but "
                             "empty header and fails")
                   ->type_name("VALUE");
  v->add_flag("--allow-missing-pay", verify.allow_missing_pay,
              "with --bind, accept a token without pay (Approov failover tokens)")
      ->needs(bind);
  add_secret_options(*v, verify.secret);
  auto* jwks_file =
      v->add_option("--jwks", verify.keyset.file,
                    "verify with the keys of FILE: a JWKS, a JWK, or a PEM public key (then "
                    "with --kid and --alg); a secret, if one is configured, is used beside them")
          ->type_name("FILE")
          ->group("Keyset");
  std::string verify_kid, verify_alg, verify_aud, verify_iss;
  auto* verify_kid_opt = v->add_option("--kid", verify_kid, "key id of the PEM key of --jwks")
                             ->type_name("KID")
                             ->group("Keyset")
                             ->needs(jwks_file);
  auto* verify_alg_opt =
      v->add_option("--alg", verify_alg,
                    "algorithm of the PEM key (or of a JWK without alg) of --jwks")
          ->type_name("ALG")
          ->group("Keyset")
          ->needs(jwks_file);
  auto* aud_opt = v->add_option("--aud", verify_aud,
                                "require this audience: aud equal to it, or an array holding it")
                      ->type_name("AUD")
                      ->group("Keyset");
  auto* iss_opt = v->add_option("--iss", verify_iss, "require iss to be exactly this issuer")
                      ->type_name("ISS")
                      ->group("Keyset");
  v->add_option("token", verify.token, "the token, or - to read it from stdin")
      ->required()
      ->type_name("TOKEN");
  v->footer(std::string("\n") + kExitHelp +
            "On 0 it prints `valid` and a summary (token fingerprint, exp, claim names); on 1\n"
            "`invalid: <reason>`. The token and the secret are never printed.\n\n" +
            kSecretHelp);

  // gen
  GenOptions gen;
  std::string exp_text, kid, gen_bind;
  std::int64_t ttl = 0;
  auto* g = app.add_subcommand(
      "gen", "mint an example token: HS256 from the secret, or with --key from a private key");
  auto* exp = g->add_option("--exp", exp_text,
                            "expiry, seconds since the Unix epoch; fractions allowed "
                            "(e.g. 4708683205.891912)")
                  ->type_name("EPOCH");
  auto* ttl_opt = g->add_option("--ttl", ttl, "lifetime in seconds from now (default 3600)")
                      ->type_name("SECONDS");
  auto* expired = g->add_flag("--expired", gen.expired, "expired an hour ago");
  exp->excludes(ttl_opt)->excludes(expired);
  ttl_opt->excludes(expired);
  auto* gen_now_opt =
      g->add_option("--now", gen_now, "the time --ttl counts from (default: the system clock)")
          ->type_name("EPOCH");
  auto* gbind = g->add_option("--bind", gen_bind,
                              "set pay to base64(SHA-256(VALUE)) for token binding, VALUE being "
                              "the raw header value (e.g. 'Bearer abc')")
                    ->type_name("VALUE");
  g->add_option("--claim", gen.claims,
                "add a claim; VALUE is used as JSON if it is valid JSON (12, true, \"12\", "
                "[1,2], {...}), otherwise as a string. Repeatable")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  auto* kid_opt = g->add_option("--kid", kid, "add a kid to the header (required with --key)")
                      ->type_name("KID");
  add_secret_options(*g, gen.secret);
  std::string gen_alg;
  auto* gen_key = g->add_option("--key", gen.key,
                                "sign with the private key in FILE (PEM or JWK) instead of the "
                                "secret: an asymmetric keyset token")
                      ->type_name("FILE")
                      ->group("Keyset");
  auto* gen_alg_opt =
      g->add_option("--alg", gen_alg,
                    "with --key: RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA "
                    "(default: RS256 for RSA, ES256/384/512 by curve, EdDSA for Ed25519)")
          ->type_name("ALG")
          ->group("Keyset")
          ->needs(gen_key);
  for (const char* flag : {"--secret", "--secret-url", "--secret-file"}) {
    gen_key->excludes(g->get_option(flag));
  }
  const auto gen_signing = add_gen_signing_options(*g);
  g->footer(std::string("\nPrints the token alone on stdout. Header: {\"typ\":\"JWT\",\"alg\":"
                        "\"HS256\"[,\"kid\":...]}; payload: exp, the --claim members in order, "
                        "then pay.\nExit status: 0 minted, 2 usage or configuration error.\n\n") +
            kSecretHelp);

  // decode
  DecodeOptions decode;
  auto* d = app.add_subcommand("decode",
                               "print a token's header and claims as JSON WITHOUT verifying it");
  d->add_option("token", decode.token, "the token, or - to read it from stdin")
      ->required()
      ->type_name("TOKEN");
  d->footer(
      "\nPrints {\"header\": ..., \"claims\": ...} on stdout (numbers and strings exactly as in "
      "the token)\nand an UNVERIFIED notice on stderr. Nothing is checked: anyone can write "
      "such a token.\nExit status: 0 decoded, 1 not three segments or not base64url JSON, 2 "
      "usage error.");

  // jwks
  JwksOptions jwks;
  std::string jwks_alg;
  auto* j = app.add_subcommand("jwks", "print the public JWKS of a key, for a verifier's keyset");
  j->add_option("--key", jwks.key, "the key (PEM or JWK; a private key's public half is printed)")
      ->required()
      ->type_name("FILE");
  j->add_option("--kid", jwks.kid, "the key id to publish it under")->required()->type_name("KID");
  auto* jwks_alg_opt = j->add_option("--alg", jwks_alg, "its algorithm (default: as for gen --key)")
                           ->type_name("ALG");
  j->footer(
      "\nPrints {\"keys\":[{\"kty\":...,\"kid\":...,\"use\":\"sig\",\"alg\":...}]} on stdout: "
      "the public key only.\nExit status: 0 printed, 2 usage or key error.");

  // bench
  BenchOptions bench;
  auto* b = app.add_subcommand("bench", "time verify in one thread, like `openssl speed`");
  b->add_option("-n", bench.iterations, "number of verifications (default 1000000)")
      ->type_name("N");
  add_secret_options(*b, bench.secret);
  b->add_option("token", bench.token,
                "token to verify (default: a freshly minted realistic Approov token with exp, "
                "ip, did, arc, ipk and pay), or - for stdin")
      ->type_name("TOKEN");
  b->footer(std::string("\nWithout a configured secret, uses the public Approov test secret "
                        "(and says so on stderr).\nExit status: 0 done, 2 usage or "
                        "configuration error.\n\n") +
            kSecretHelp);

  // keygen, sign (message signing)
  const Subcommand keygen = add_keygen_command(app);
  const Subcommand sign = add_sign_command(app);

  // CLI11 reads `--opt=` (empty value) as `--opt` followed by the next argument, which would
  // swallow the token; pass such an option an explicit empty argument instead, so that
  // `--bind=` means an empty bound header exactly like `--bind ""`.
  std::vector<std::string> args(argv, argv + argc);
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() > 3 && arg.rfind("--", 0) == 0 && arg.find('=') == arg.size() - 1) {
      args[i].pop_back();
      args.insert(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::string());
      ++i;
    }
  }
  std::vector<char*> parse_argv;
  for (std::string& arg : args) parse_argv.push_back(arg.data());

  try {
    app.parse(static_cast<int>(parse_argv.size()), parse_argv.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "approov-token: " << redact(e.what(), argc, argv)
              << "\nRun with --help for usage.\n";
    return kExitUsage;
  }

  if (v->parsed()) {
    if (bind->count() > 0) verify.bind = bind_value;
    if (now_opt->count() > 0) verify.now = now;
    if (verify_kid_opt->count() > 0) verify.keyset.kid = verify_kid;
    if (verify_alg_opt->count() > 0) verify.keyset.alg = verify_alg;
    if (aud_opt->count() > 0) verify.keyset.audience = verify_aud;
    if (iss_opt->count() > 0) verify.keyset.issuer = verify_iss;
    return run_verify(verify);
  }
  if (g->parsed()) {
    if (exp->count() > 0) gen.exp = exp_text;
    if (ttl_opt->count() > 0) gen.ttl = ttl;
    if (gbind->count() > 0) gen.bind = gen_bind;
    if (kid_opt->count() > 0) gen.kid = kid;
    if (gen_now_opt->count() > 0) gen.now = gen_now;
    if (gen_alg_opt->count() > 0) gen.alg = gen_alg;
    if (const int rc = gen_signing->apply(gen.claims); rc != kExitOk) return rc;
    return run_gen(gen);
  }
  if (d->parsed()) return run_decode(decode);
  if (b->parsed()) return run_bench(bench);
  if (j->parsed()) {
    if (jwks_alg_opt->count() > 0) jwks.alg = jwks_alg;
    return run_jwks(jwks);
  }
  if (keygen.command->parsed()) return keygen.run();
  if (sign.command->parsed()) return sign.run();
  return kExitUsage;
}
