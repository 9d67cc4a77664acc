// A sidecar in-process for the unit tests: settings from a config text, the policy built with
// a secret file, a Service whose log lines are kept, and requests answered by the very
// handlers approov-authd runs (no sockets).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "approov/approov.hpp"
#include "core/admin.hpp"
#include "core/check.hpp"
#include "core/policy.hpp"
#include "core/service.hpp"
#include "core/settings.hpp"
#include "test_files.hpp"

namespace approov::authd::test {

namespace http = boost::beast::http;

/// 32 bytes: the shortest secret accepted.
inline const std::string& test_key() {
  static const std::string key = "approov-authd unit test secret!!";
  return key;
}

inline std::string base64_of(std::string_view bytes, base64::Alphabet alphabet) {
  return base64::encode(bytes.data(), bytes.size(), alphabet,
                        alphabet == base64::Alphabet::standard);
}

/// An HS256 token over `payload_json`, signed with `key`.
inline std::string mint(std::string_view payload_json, const std::string& key = test_key()) {
  return mint_hs256(R"({"alg":"HS256","typ":"JWT"})", payload_json,
                    reinterpret_cast<const std::uint8_t*>(key.data()), key.size());
}

inline constexpr std::string_view kFar = "4708683205";

inline std::string valid_token(std::string_view extra_claims = {}) {
  std::string payload = "{\"exp\":" + std::string(kFar);
  if (!extra_claims.empty()) payload += "," + std::string(extra_claims);
  return mint(payload + "}");
}

class Sidecar {
 public:
  /// `config` is the config file's text (listen and secret-file are added); `flags` follow.
  explicit Sidecar(const std::string& config, std::vector<std::string> flags = {},
                   std::size_t threads = 1) {
    dir.write("secret", base64_of(test_key(), base64::Alphabet::standard) + "\n");
    dir.write(".env", "");
    conf = dir.write("authd.conf", "listen = 127.0.0.1:0\nsecret-file = " + dir.path("secret") +
                                       "\nenv-file = " + dir.path(".env") + "\n" + config);
    args = {"--config", conf, "--threads", std::to_string(threads)};
    args.insert(args.end(), flags.begin(), flags.end());
    auto settings = load_settings(args);
    if (!settings) {
      ADD_FAILURE() << settings.error();
      return;
    }
    auto policy = build_policy(settings.value(), 1, dotenv);
    if (!policy) {
      ADD_FAILURE() << policy.error();
      return;
    }
    svc = std::make_unique<Service>(
        threads, policy.value(),
        EventLog([l = lines](std::string_view line) { l->emplace_back(line); }));
  }

  /// Rewrites the config text (as the constructor does) for a reload.
  void rewrite(const std::string& config) {
    dir.write("authd.conf", "listen = 127.0.0.1:0\nsecret-file = " + dir.path("secret") +
                                "\nenv-file = " + dir.path(".env") + "\n" + config);
  }

  /// Answers a check as the sidecar does: `target` on the request line, then the fields.
  server::Response check(std::string_view target,
                         std::vector<std::pair<std::string, std::string>> fields = {},
                         http::verb method = http::verb::get, std::size_t worker = 0) {
    server::Request req{method, std::string(target), 11};
    for (const auto& [name, value] : fields) req.insert(name, value);
    server::Response res;
    answer_check(*svc, worker, req, res);
    return res;
  }

  /// The status of a check of `uri` given in X-Original-URI, with the fields.
  unsigned status(std::string_view uri,
                  std::vector<std::pair<std::string, std::string>> fields = {}) {
    fields.emplace_back("X-Original-URI", std::string(uri));
    return check("/_auth", std::move(fields)).result_int();
  }

  server::Response admin(std::string_view target, std::size_t connections = 0) {
    server::Request req{http::verb::get, std::string(target), 11};
    server::Response res;
    answer_admin(*svc, {connections, 0}, req, res);
    return res;
  }

  /// One metrics sample, by its name and labels as written; -1 when absent.
  long metric(const std::string& sample) const {
    const std::string text = svc->metrics_text({});
    const auto at = text.find("\n" + sample + " ");
    if (at == std::string::npos) return -1;
    return std::stol(text.substr(at + sample.size() + 2));
  }

  TempDir dir;
  std::string conf;
  std::vector<std::string> args;
  DotenvReload dotenv;
  std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();
  std::unique_ptr<Service> svc;
};

}  // namespace approov::authd::test
