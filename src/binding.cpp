// Token binding: the token's `pay` claim must be the SHA-256 of the bound header values.
#include "approov/base64.hpp"
#include "approov/request_check.hpp"
#include "internal/sha256.hpp"

namespace approov {

namespace {

// `pay` must be a canonical base64 (either alphabet, padded or not) of exactly 32 bytes equal
// to `digest`. Compared in constant time.
Reason compare_pay(const Claims& claims, const std::uint8_t* digest) noexcept {
  std::uint8_t expected[detail::kSha256Size + 3];
  const std::ptrdiff_t n = base64::decode(*claims.pay(), base64::Alphabet::either,
                                          base64::Padding::optional, expected, sizeof expected);
  if (n != static_cast<std::ptrdiff_t>(detail::kSha256Size)) return Reason::bad_pay;
  return detail::equal_ct(expected, digest, detail::kSha256Size) ? Reason::ok
                                                                 : Reason::binding_mismatch;
}

Reason pay_presence(const Claims& claims, bool allow_missing_pay) noexcept {
  if (claims.pay()) return Reason::ok;
  if (claims.has_pay()) return Reason::bad_pay;  // present but not a string
  return allow_missing_pay ? Reason::ok : Reason::missing_pay;
}

}  // namespace

Reason check_binding(const Claims& claims, const RequestView& request,
                     const BindingPolicy& policy) noexcept {
  // A missing (when required) or non-string `pay` is the token's fault and reported first.
  // Then every bound header must be present exactly once and non-empty, even for a token
  // allowed without `pay`. No configured header fails closed instead of binding "".
  const Reason r = pay_presence(claims, policy.allow_missing_pay);
  if (r != Reason::ok) return r;
  if (policy.headers.empty()) return Reason::missing_binding_header;
  detail::Sha256 hash;
  for (const std::string& name : policy.headers) {
    const FieldCount f = count_fields(request, name);
    if (f.count > 1) return Reason::duplicate_binding_header;
    const std::string_view value = trim_ows(f.first);
    if (f.count == 0 || value.empty()) return Reason::missing_binding_header;
    hash.update(value);
  }
  std::uint8_t digest[detail::kSha256Size];
  hash.finish(digest);
  if (!claims.pay()) return Reason::ok;  // allowed without pay, headers present
  return compare_pay(claims, digest);
}

Reason check_binding_value(const Claims& claims, std::string_view bound_value,
                           bool allow_missing_pay) noexcept {
  const Reason r = pay_presence(claims, allow_missing_pay);
  if (r != Reason::ok) return r;
  if (bound_value.empty()) return Reason::missing_binding_header;
  if (!claims.pay()) return Reason::ok;
  std::uint8_t digest[detail::kSha256Size];
  detail::Sha256 hash;
  hash.update(bound_value);
  hash.finish(digest);
  return compare_pay(claims, digest);
}

}  // namespace approov
