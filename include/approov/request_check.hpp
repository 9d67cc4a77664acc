// The framework-agnostic request check shared by every adapter, example server and the
// sidecar: request -> extract the token -> verify it -> token binding -> decision.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "approov/claims.hpp"
#include "approov/config.hpp"
#include "approov/message_signing.hpp"
#include "approov/reason.hpp"
#include "approov/request.hpp"
#include "approov/token_verifier.hpp"

namespace approov {

/// Where the token is read from.
struct TokenSource {
  /// Header name, compared case-insensitively.
  std::string header = "Approov-Token";
  /// Optional prefix such as "Bearer " that must be present (case-insensitively) and is
  /// stripped; empty means the header holds the bare token.
  std::string prefix;
};

/// Token binding: `pay` must be the SHA-256 of these headers' values concatenated
/// in this order with no separator (surrounding spaces/tabs of each value trimmed, as HTTP does).
struct BindingPolicy {
  std::vector<std::string> headers{"Authorization"};
  /// Accept a token without `pay` (Approov failover tokens carry none). Off by default. The
  /// bound headers must still be present exactly once and non-empty.
  bool allow_missing_pay = false;
};

/// What a route requires.
enum class Protection : std::uint8_t {
  none,           ///< not checked
  token,          ///< a valid Approov token
  token_binding,  ///< a valid token whose `pay` matches the bound headers
};

/// Per-route policy used by adapters and the sidecar.
struct RoutePolicy {
  Protection protection = Protection::token;
  BindingPolicy binding;
  /// Message signatures (checked after the token and any binding).
  SigningPolicy signing;
  /// Log failures but let the request through.
  bool report_only = false;

  /// Ready-made policies (aggregate initialisation works too, but warns under -Wextra when
  /// members are left out).
  [[nodiscard]] static RoutePolicy unprotected() {
    RoutePolicy p;
    p.protection = Protection::none;
    return p;
  }
  [[nodiscard]] static RoutePolicy token_check() { return RoutePolicy{}; }
  [[nodiscard]] static RoutePolicy token_binding(
      std::vector<std::string> headers = {"Authorization"}, bool allow_missing_pay = false) {
    RoutePolicy p;
    p.protection = Protection::token_binding;
    p.binding.headers = std::move(headers);
    p.binding.allow_missing_pay = allow_missing_pay;
    return p;
  }
  /// This policy with message signatures checked too (after the token and any binding).
  [[nodiscard]] RoutePolicy with_signatures(bool require_signature = false,
                                            std::vector<std::string> required_components = {}) && {
    signing.enabled = true;
    signing.require_signature = require_signature;
    signing.required_components = std::move(required_components);
    return std::move(*this);
  }
};

/// The answer to every token or binding failure: byte for byte the same whatever the reason.
struct FailureResponse {
  int status = 401;
  std::string content_type = "application/json";
  std::string body = "{}";
};

/// Runs the whole check for one request. Immutable after creation and safe to share between
/// threads; `check` is `noexcept`, allocation-free and never logs (callers log the reason and,
/// at most, `token_fingerprint`).
namespace signing {
class SignatureChecker;  // the message-signature check (private)
}

class RequestCheck {
 public:
  /// Fails if the header name is empty or not an HTTP token, the prefix has control bytes, or
  /// the message-signing configuration is out of range (see MessageSigningConfig).
  [[nodiscard]] static Configured<RequestCheck> create(TokenVerifier verifier,
                                                       TokenSource source = {},
                                                       MessageSigningConfig signing = {});

  /// Checks a route's policy against this check's configuration: the required components of
  /// message signing must be known lowercase component names. Empty when fine, else a message
  /// that names the problem (for start-up).
  [[nodiscard]] static std::string validate(const RoutePolicy& route);

  /// What `route` requires, at time `now`: extract the token -> verify it -> (on binding
  /// routes) the binding -> (when the route checks them) the message signature. Writes the
  /// claims on success (and on a binding or signature failure, where they are verified);
  /// `Protection::none` returns `Reason::ok` at once. `claims` is caller-owned (see `Claims`).
  [[nodiscard]] Reason check(const RequestView& request, std::int64_t now, const RoutePolicy& route,
                             Claims& claims) const noexcept;
  /// Same, returning the claims inside the result (about 12.5 KiB by value).
  [[nodiscard]] VerifyResult check(const RequestView& request, std::int64_t now,
                                   const RoutePolicy& route) const noexcept;

  /// The token text alone (the configured header, exactly once, non-empty, with the
  /// configured prefix), or the reason it cannot be read.
  [[nodiscard]] Reason extract_token(const RequestView& request,
                                     std::string_view& token) const noexcept;

  [[nodiscard]] const TokenVerifier& verifier() const noexcept { return verifier_; }
  [[nodiscard]] const TokenSource& source() const noexcept { return source_; }
  [[nodiscard]] const MessageSigningConfig& signing() const noexcept;

 private:
  RequestCheck(TokenVerifier verifier, TokenSource source,
               std::shared_ptr<const signing::SignatureChecker> signatures)
      : verifier_(std::move(verifier)),
        source_(std::move(source)),
        signatures_(std::move(signatures)) {}
  TokenVerifier verifier_;
  TokenSource source_;
  std::shared_ptr<const signing::SignatureChecker> signatures_;
};

/// Token binding on already verified claims, reading the bound headers from `request`.
[[nodiscard]] Reason check_binding(const Claims& claims, const RequestView& request,
                                   const BindingPolicy& policy) noexcept;

/// Token binding with the bound value given directly (the concatenation of the bound headers'
/// values). The value is hashed exactly as given, with no trimming: pass what your HTTP stack
/// delivers (which has already dropped surrounding whitespace). An empty value counts as a
/// missing header, even when a token without `pay` is allowed.
[[nodiscard]] Reason check_binding_value(const Claims& claims, std::string_view bound_value,
                                         bool allow_missing_pay = false) noexcept;

/// Short, non-reversible token identifier for logs: the first 8 bytes of SHA-256(token) in
/// lowercase hex (16 characters). Never log the token itself.
[[nodiscard]] std::array<char, 17> token_fingerprint(std::string_view token) noexcept;

}  // namespace approov
