#include "approov/request_check.hpp"

#include "internal/sha256.hpp"
#include "internal/text.hpp"
#include "signing/signature_checker.hpp"

namespace approov {

Configured<RequestCheck> RequestCheck::create(TokenVerifier verifier, TokenSource source,
                                              MessageSigningConfig signing) {
  using Result = Configured<RequestCheck>;
  if (!text::is_token(source.header)) {
    return Result::failure("the token header name \"" + source.header +
                           "\" is not a valid HTTP field name");
  }
  for (char c : source.prefix) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Result::failure("the token prefix contains a control character");
    }
  }
  auto signatures = signing::SignatureChecker::create(std::move(signing), source.header);
  if (!signatures) return Result::failure(signatures.error());
  return RequestCheck(std::move(verifier), std::move(source), std::move(signatures).value());
}

std::string RequestCheck::validate(const RoutePolicy& route) {
  return signing::SignatureChecker::check_required_components(route.signing.required_components);
}

const MessageSigningConfig& RequestCheck::signing() const noexcept {
  return signatures_->config();
}

Reason RequestCheck::extract_token(const RequestView& request,
                                   std::string_view& token) const noexcept {
  const FieldCount f = count_fields(request, source_.header);
  if (f.count == 0) return Reason::missing_token;
  if (f.count > 1) return Reason::duplicate_token;
  std::string_view value = trim_ows(f.first);
  if (value.empty()) return Reason::missing_token;
  // A token never contains a comma: one means a proxy joined several fields into one.
  if (value.find(',') != std::string_view::npos) return Reason::duplicate_token;
  if (!source_.prefix.empty()) {
    // "Bearer " with nothing after it arrives trimmed as "Bearer": an empty token, not a wrong
    // prefix (docs/DECISIONS.md: nothing after the prefix is missing_token).
    if (iequals(value, trim_ows(source_.prefix))) return Reason::missing_token;
    if (value.size() < source_.prefix.size() ||
        !iequals(value.substr(0, source_.prefix.size()), source_.prefix)) {
      return Reason::bad_prefix;
    }
    value.remove_prefix(source_.prefix.size());
    if (value.empty()) return Reason::missing_token;
  }
  token = value;
  return Reason::ok;
}

Reason RequestCheck::check(const RequestView& request, std::int64_t now, const RoutePolicy& route,
                           Claims& claims) const noexcept {
  if (route.protection == Protection::none) return Reason::ok;
  std::string_view token;
  Reason r = extract_token(request, token);
  if (r != Reason::ok) return r;
  r = verifier_.verify(token, now, claims);
  if (r != Reason::ok) return r;
  if (route.protection == Protection::token_binding) {
    r = check_binding(claims, request, route.binding);
    if (r != Reason::ok) return r;
  }
  if (!route.signing.enabled) return Reason::ok;
  return signatures_->check(request, claims, now, route.signing);
}

VerifyResult RequestCheck::check(const RequestView& request, std::int64_t now,
                                 const RoutePolicy& route) const noexcept {
  VerifyResult result;
  result.reason_ = check(request, now, route, result.claims_);
  return result;
}

std::array<char, 17> token_fingerprint(std::string_view token) noexcept {
  detail::Sha256 hash;
  hash.update(token);
  std::uint8_t digest[detail::kSha256Size];
  hash.finish(digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<char, 17> out{};
  for (int i = 0; i < 8; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  out[16] = '\0';
  return out;
}

}  // namespace approov
