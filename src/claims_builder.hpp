// Fills a Claims object from a verified payload in one pass of the JSON reader: the views of
// the well-known claims (unescaped into the object's arena when needed) and the facts the time,
// audience and issuer rules need. Private to the library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "approov/claims.hpp"
#include "internal/json.hpp"

namespace approov {

struct ClaimsBuilder {
  explicit ClaimsBuilder(Claims& c) noexcept : claims(c), payload(c.buffer_.data()) {}
  Claims& claims;
  const char* payload;  // == claims.buffer_.data()
  bool exp_seen = false, exp_number = false;
  bool nbf_seen = false, nbf_number = false;
  bool iat_seen = false, iat_number = false;
  bool aud_seen = false;
  json::Value aud;  // valid when aud_seen
  bool iss_seen = false;

  /// Places `payload_size` bytes already decoded at the start of the buffer as the payload and
  /// parses them. False (and the claims reset) if the payload is not a strict I-JSON object.
  [[nodiscard]] bool parse(std::size_t payload_size) noexcept;

  /// The JSON reader's callback for each top-level member.
  bool operator()(const json::Value& name, const json::Value& value) noexcept;

  /// Does `aud` (a string or an array of strings) contain `expected`?
  [[nodiscard]] bool audience_contains(std::string_view expected) const noexcept;

  /// The claims object's own views, for the rules that follow the parse.
  [[nodiscard]] std::string_view view_of(Claims::Span s) const noexcept { return claims.view(s); }

 private:
  Claims::Span span_of(std::string_view v) const noexcept {
    return {static_cast<std::uint16_t>(v.data() - payload), static_cast<std::uint16_t>(v.size()),
            true};
  }
  Claims::Span string_span(const json::Value& v) noexcept;
};

}  // namespace approov
