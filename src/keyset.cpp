#include "approov/keyset.hpp"

#include <fstream>
#include <iterator>

#include "asymmetric_key.hpp"
#include "dynamic_keys.hpp"
#include "internal/json.hpp"
#include "jwk.hpp"

namespace approov {

// ---- VerificationKey ------------------------------------------------------------------------

const std::string& VerificationKey::key_id() const noexcept {
  return key_->key_id();
}

Algorithm VerificationKey::algorithm() const noexcept {
  return key_->algorithm();
}

std::string_view VerificationKey::description() const noexcept {
  return key_->description();
}

std::string VerificationKey::public_jwk() const {
  const auto* asymmetric = dynamic_cast<const detail::AsymmetricKey*>(key_.get());
  if (asymmetric == nullptr) return {};
  return detail::public_jwk_json(asymmetric->public_key(), key_->key_id(), key_->algorithm());
}

// ---- reading keys ---------------------------------------------------------------------------

namespace {

std::string prefixed(std::string_view source, const std::string& problem) {
  return std::string(source) + ": " + problem;
}

// True if `text` is a JSON object with a top-level member `name` (false if it is not JSON).
bool has_top_level_member(std::string_view text, std::string_view name) {
  bool found = false;
  auto on_member = [&](const json::Value& member, const json::Value&) noexcept {
    found = found || json::string_equals(member, name);
    return true;
  };
  json::TopLevelMembers<decltype(on_member)> handler{on_member};
  json::Options options;
  options.max_size = kMaxJwksSize;
  return json::parse_large(text, handler, options).ok() && found;
}

std::vector<VerificationKey> wrap(std::vector<detail::KeyPtr> keys) {
  std::vector<VerificationKey> out;
  out.reserve(keys.size());
  for (auto& key : keys) out.emplace_back(std::move(key));
  return out;
}

}  // namespace

Configured<VerificationKey> key_from_pem(std::string_view pem, std::string key_id,
                                         Algorithm algorithm, std::string_view source) {
  auto key = detail::read_pem_key(pem, std::move(key_id), algorithm);
  if (!key) return Configured<VerificationKey>::failure(prefixed(source, key.error()));
  return VerificationKey(std::move(key).value());
}

Configured<VerificationKey> key_from_jwk(std::string_view json, std::optional<Algorithm> algorithm,
                                         std::string_view source) {
  auto key = detail::read_jwk(json, algorithm);
  if (!key) return Configured<VerificationKey>::failure(prefixed(source, key.error()));
  return VerificationKey(std::move(key).value());
}

Configured<std::vector<VerificationKey>> keys_from_jwks(std::string_view json,
                                                        std::string_view source) {
  auto keys = detail::read_jwks(json);
  if (!keys)
    return Configured<std::vector<VerificationKey>>::failure(prefixed(source, keys.error()));
  return wrap(std::move(keys).value());
}

Configured<std::vector<VerificationKey>> keys_from_file(const std::string& path,
                                                        std::optional<std::string> key_id,
                                                        std::optional<Algorithm> algorithm) {
  using Result = Configured<std::vector<VerificationKey>>;
  const std::string source = "key file " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result::failure(source + ": cannot open the file");
  std::string text;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxJwksSize) {
      return Result::failure(source + ": the file is larger than " + std::to_string(kMaxJwksSize) +
                             " bytes");
    }
  }
  if (in.bad()) return Result::failure(source + ": cannot read the file");
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return Result::failure(source + ": the file is empty");
  if (text[first] != '{') {
    // PEM: the kid and the algorithm come from the configuration.
    if (!key_id || !algorithm) {
      return Result::failure(source +
                             ": a PEM key needs a key id and an algorithm given beside it");
    }
    auto key = key_from_pem(text, *key_id, *algorithm, source);
    if (!key) return Result::failure(key.error());
    return std::vector<VerificationKey>{std::move(key).value()};
  }
  if (key_id) {
    return Result::failure(source +
                           ": a JWK or JWKS names its keys itself; no key id is taken "
                           "beside it");
  }
  // A JWKS has a top-level "keys" member; a JWK has "kty". When it is neither (or not JSON),
  // the JWKS reader gives the message.
  if (has_top_level_member(text, "keys") || !has_top_level_member(text, "kty")) {
    if (algorithm) {
      return Result::failure(source +
                             ": a JWKS gives each key its own alg; no algorithm is "
                             "taken beside it");
    }
    return keys_from_jwks(text, source);
  }
  auto key = key_from_jwk(text, algorithm, source);
  if (!key) return Result::failure(key.error());
  return std::vector<VerificationKey>{std::move(key).value()};
}

// ---- KeySet ---------------------------------------------------------------------------------

std::shared_ptr<KeySet> KeySet::create() {
  return std::shared_ptr<KeySet>(new KeySet(std::make_shared<detail::DynamicKeys>()));
}

std::string KeySet::replace(std::vector<VerificationKey> keys) {
  if (keys.empty()) return "a key set needs at least one key";
  auto list = std::make_shared<detail::KeyList>();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].jws_key() == nullptr) return "key #" + std::to_string(i + 1) + " is empty";
    for (std::size_t j = 0; j < i; ++j) {
      if (keys[j].key_id() == keys[i].key_id()) {
        return "keys #" + std::to_string(j + 1) + " and #" + std::to_string(i + 1) +
               " have the same kid " + detail::printable(keys[i].key_id());
      }
    }
    list->keys.push_back(keys[i].jws_key());
  }
  impl_->publish(std::move(list));
  return {};
}

std::string KeySet::replace_from_jwks(std::string_view jwks, std::string_view source) {
  auto keys = keys_from_jwks(jwks, source);
  if (!keys) return keys.error();
  return replace(std::move(keys).value());
}

std::vector<VerificationKey> KeySet::keys() const {
  const auto list = impl_->current();
  std::vector<VerificationKey> out;
  for (const auto& key : list->keys) out.emplace_back(key);
  return out;
}

std::uint64_t KeySet::generation() const noexcept {
  return impl_->generation();
}

void KeySet::request_refresh() noexcept {
  impl_->request_refresh();
}

bool KeySet::wait_for_refresh_request(std::chrono::milliseconds timeout) {
  return impl_->wait_for_refresh_request(timeout);
}

void KeySet::wake() noexcept {
  impl_->wake();
}

std::uint64_t KeySet::refresh_requests() const noexcept {
  return impl_->refresh_requests();
}

}  // namespace approov
