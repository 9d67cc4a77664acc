#include "core/check.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <string_view>

#include "approov/adapters/beast.hpp"
#include "core/uri.hpp"
#include "internal/text.hpp"

namespace approov::authd {

namespace {

namespace http = boost::beast::http;
using server::Request;
using server::Response;
using Headers = approov::beast::RequestAdapter<http::string_body>;

// The claim value as a header value, or empty: absent, over the cap, or with a byte that
// could split or corrupt a header.
std::string_view header_safe(std::optional<std::string_view> v) {
  if (!v || v->size() > kMaxClaimHeaderValue) return {};
  for (char c : *v) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return {};  // never split a header
  }
  return *v;
}

void set_claim_headers(Response& res, const Claims* claims) {
  std::array<std::string_view, kClaimHeaders.size()> values{};
  if (claims != nullptr) {
    values = {header_safe(claims->did()),   header_safe(claims->ip()),
              header_safe(claims->arc()),   header_safe(claims->ipk()),
              header_safe(claims->mskid()), header_safe(claims->exp_text())};
  }
  for (std::size_t i = 0; i < kClaimHeaders.size(); ++i) {
    res.insert(boost::beast::string_view(kClaimHeaders[i].data(), kClaimHeaders[i].size()),
               boost::beast::string_view(values[i].data(), values[i].size()));
  }
}

void deny(Response& res, const Policy& p) {
  res.result(static_cast<unsigned>(p.failure.status));
  res.set(http::field::content_type, p.failure.content_type);
  res.body() = p.failure.body;
}

// A CORS preflight: OPTIONS with exactly one non-empty Origin and exactly one
// Access-Control-Request-Method holding a method token. Nothing looser gets the bypass: an
// OPTIONS that is not a preflight may reach a handler that serves every method.
bool is_preflight(const RequestView& headers, std::string_view method) noexcept {
  if (method != "OPTIONS") return false;
  const FieldCount origin = count_fields(headers, "Origin");
  if (origin.count != 1 || origin.first.empty()) return false;
  const FieldCount wanted = count_fields(headers, "Access-Control-Request-Method");
  return wanted.count == 1 && text::is_token(wanted.first);
}

// The original URI and method of the request the proxy asks about.
struct Original {
  std::string_view uri;
  std::string_view method;
  bool ambiguous = false;  // a URI or method header given twice
};

// The original URI and method come from the proxy's headers (nginx's auth subrequest is
// always a GET to the auth location). Method and URI are read from the same proxy's pair, so
// a client header of the other pair cannot choose the method (the recipes strip the pair
// their proxy does not set). Two fields of the URI or of its method header mean a proxy
// appended instead of replacing: which one it acted on is unknown, so deny.
Original read_original(const Policy& p, const Headers& headers, const Request& req) noexcept {
  Original o;
  for (const std::string& h : p.uri_headers) {
    const FieldCount f = count_fields(headers, h);
    if (f.count == 0) continue;
    if (f.count > 1) {
      o.ambiguous = true;
      break;
    }
    if (f.first.empty()) continue;
    o.uri = f.first;
    const std::string_view method_header = iequals(h, "X-Original-URI")    ? "X-Original-Method"
                                           : iequals(h, "X-Forwarded-Uri") ? "X-Forwarded-Method"
                                                                           : std::string_view();
    if (!method_header.empty()) {
      const FieldCount m = count_fields(headers, method_header);
      o.ambiguous = m.count > 1;
      o.method = m.first;
    }
    break;
  }
  if (o.uri.empty()) o.uri = std::string_view(req.target().data(), req.target().size());
  if (o.method.empty()) {
    o.method = std::string_view(req.method_string().data(), req.method_string().size());
  }
  return o;
}

// The client's request as the gateway forwards it, for the message-signature check. The
// sidecar's own request line and Host describe the check request (nginx's auth subrequest is
// always `GET /_approov_auth`), so:
//   - method and target: what read_original found (X-Original-Method / X-Original-URI, or
//     X-Forwarded-Method / X-Forwarded-Uri; else the check request's own, as Envoy sends it);
//   - scheme and authority: X-Forwarded-Proto and X-Forwarded-Host, which each recipe sets
//     from the gateway's own variables, replacing any a client sent (else `http` and the check
//     request's Host). `signature-base-url` replaces both in the core;
//   - fields as forwarded, but Content-Length and Transfer-Encoding: the check request's own
//     describe the check unless the gateway sends the client's body along (forwarded-body), so
//     the client's are read from X-Original-Content-Length and X-Original-Transfer-Encoding,
//     which the recipes set. The second matters for a chunked body: it has no length to
//     forward, and without it the request would look bodyless, so a signature made without
//     content-digest would pass with any chunked body attached;
//   - the body only with forwarded-body (then Content-Digest is checked against it).
// A value the gateway sets wrong can only make a signature fail (the base is what the client
// signed or it does not verify); a value a client could choose would let a signature made for
// another request pass, which is why every recipe replaces these fields.
class ForwardedRequest final : public RequestView {
  // Passes on the non-empty field lines only.
  struct NonEmpty final : FieldLineSink {
    explicit NonEmpty(FieldLineSink& to) noexcept : next(to) {}
    void line(std::string_view value) noexcept override {
      if (value.empty()) return;
      ++count;
      next.line(value);
    }
    FieldLineSink& next;
    std::size_t count = 0;
  };

 public:
  ForwardedRequest(const Headers& headers, bool with_body) noexcept
      : headers_(headers), with_body_(with_body) {}

  // Reads the forwarded fields; false when one of them is given twice (a gateway that
  // appended instead of replacing: which value it acted on is unknown).
  bool read(const Original& original) noexcept {
    method_ = original.method;
    target_ = original.uri;
    const FieldCount proto = count_fields(headers_, "X-Forwarded-Proto");
    const FieldCount host = count_fields(headers_, "X-Forwarded-Host");
    const FieldCount own_host = count_fields(headers_, "Host");
    const std::size_t length =
        with_body_ ? 0 : count_fields(headers_, "X-Original-Content-Length").count;
    const std::size_t coding =
        with_body_ ? 0 : count_fields(headers_, "X-Original-Transfer-Encoding").count;
    scheme_ = proto.count == 1 ? proto.first : std::string_view("http");
    authority_ = host.count == 1 ? host.first : own_host.first;
    return proto.count <= 1 && host.count <= 1 && own_host.count <= 1 && length <= 1 && coding <= 1;
  }

  [[nodiscard]] std::string_view method() const noexcept override { return method_; }
  [[nodiscard]] std::string_view scheme() const noexcept override { return scheme_; }
  [[nodiscard]] std::string_view authority() const noexcept override { return authority_; }
  [[nodiscard]] std::string_view target() const noexcept override { return target_; }
  std::size_t fields(std::string_view name, FieldLineSink& sink) const noexcept override {
    if (!with_body_) {
      // An empty one is no length or coding (a gateway that sets it from a request without).
      const bool length = iequals(name, "Content-Length");
      if (length || iequals(name, "Transfer-Encoding")) {
        NonEmpty non_empty(sink);
        headers_.fields(length ? "X-Original-Content-Length" : "X-Original-Transfer-Encoding",
                        non_empty);
        return non_empty.count;
      }
    }
    return headers_.fields(name, sink);
  }
  [[nodiscard]] std::optional<std::string_view> body() const noexcept override {
    if (!with_body_) return std::nullopt;
    return headers_.body();
  }

 private:
  const Headers& headers_;
  bool with_body_;
  std::string_view method_, scheme_, authority_, target_;
};

// Logs a denial or report-only failure if the worker's budget for its kind allows, naming the
// token by its fingerprint (extracted only when the line is written).
void log_denial(const Service& svc, WorkerState& w, const Policy& p, LogKind kind,
                std::string_view reason, const Route* route, const Headers& headers,
                std::string_view method) {
  if (!svc.log().admit(w.log, kind, p.log_rate, svc.threads())) return;
  std::string_view token;
  std::string_view fingerprint;
  std::array<char, 17> fp{};
  if (p.check.extract_token(headers, token) == Reason::ok && !token.empty()) {
    fp = token_fingerprint(token);
    fingerprint = fp.data();
  }
  // The gateway's request id, trace context and client address: read only for a line that is
  // written, so a check that logs nothing pays nothing for them.
  RequestIds ids;
  ids.request_id = count_fields(headers, "X-Request-Id").first;
  ids.traceparent = count_fields(headers, "traceparent").first;
  ids.forwarded_for = count_fields(headers, "X-Forwarded-For").first;
  ids.real_ip = count_fields(headers, "X-Real-IP").first;
  svc.log().denial(w.log, kind, reason, route != nullptr ? route->prefix : "", method, fingerprint,
                   ids);
}

}  // namespace

void answer_check(Service& svc, std::size_t worker, const Request& req, Response& res) {
  const auto start = std::chrono::steady_clock::now();
  WorkerState& w = svc.worker(worker);
  const Policy& p = svc.policy(w);
  const Headers headers(req);
  const Original original = read_original(p, headers, req);
  const std::string_view method = original.method;

  auto finish = [&] {
    w.metrics.observe(std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now() - start));
  };

  if (original.ambiguous || !normalize_path(original.uri, w.path)) {
    w.metrics.count(kBadUri);
    log_denial(svc, w, p, LogKind::deny, "bad_uri", nullptr, headers, method);
    deny(res, p);
    return finish();
  }
  if (p.cors_preflight && is_preflight(headers, method)) {
    w.metrics.count(kPreflight);
    if (p.claim_headers) set_claim_headers(res, nullptr);
    return finish();
  }
  const RouteTable::Matches routes = p.routes.match_readings(w.path, w.folded);
  if (routes.count == 0) {
    w.metrics.count(kNoRoute);
    log_denial(svc, w, p, LogKind::deny, "no_route", nullptr, headers, method);
    deny(res, p);
    return finish();
  }

  // With message signatures the check reads the client's request as the gateway forwards
  // it; a forwarded field given twice is denied like a URI given twice (on a report-only
  // route the signature check then fails and is reported instead).
  ForwardedRequest forwarded(headers, p.forwarded_body);
  const RequestView& view = p.signing ? static_cast<const RequestView&>(forwarded) : headers;
  if (p.signing && !forwarded.read(original)) {
    for (std::size_t i = 0; i < routes.count; ++i) {
      const RoutePolicy& rp = routes.routes[i]->policy;
      if (!rp.signing.enabled || rp.report_only) continue;
      w.metrics.count(kBadForwarded);
      log_denial(svc, w, p, LogKind::deny, "bad_forwarded", routes.routes[i], headers, method);
      deny(res, p);
      return finish();
    }
  }

  // The request must pass the route of every reading of its path (usually one route). With a
  // replay store, its signature is still one signature: only one signing route (`recorder`:
  // the last enforcing one, else the last report-only one) checks it against the store and
  // records it, and it is checked last, so that a signature is recorded only once every other
  // route has passed; the other signing routes check it without the store. (Checked and
  // recorded per route, a second route would see the first one's record as a replay, and a
  // report-only route would use up a signature an enforcing one then refused.)
  std::size_t recorder = routes.count;
  if (p.check_without_replay) {
    for (std::size_t i = 0; i < routes.count; ++i) {
      const RoutePolicy& rp = routes.routes[i]->policy;
      if (rp.protection == Protection::none || !rp.signing.enabled) continue;
      if (recorder == routes.count || !rp.report_only ||
          routes.routes[recorder]->policy.report_only) {
        recorder = i;
      }
    }
  }
  const std::int64_t now = unix_now();
  bool checked = false;  // some route needed a token, and every such check so far passed
  Reason report_reason = Reason::ok;
  const Route* report_route = nullptr;
  for (std::size_t n = 0; n < routes.count; ++n) {
    // The recorder's turn moves to the end; every other route keeps its order.
    std::size_t i = n;
    if (recorder < routes.count) i = n + 1 == routes.count ? recorder : (n < recorder ? n : n + 1);
    const Route* route = routes.routes[i];
    if (route->policy.protection == Protection::none) continue;
    const RequestCheck& check =
        recorder < routes.count && i != recorder ? *p.check_without_replay : p.check;
    const Reason reason = check.check(view, now, route->policy, w.claims);
    if (reason == Reason::ok) {
      checked = true;
    } else if (route->policy.report_only) {
      if (report_route == nullptr) {
        report_reason = reason;
        report_route = route;
      }
    } else {
      w.metrics.count(kDeny, reason);
      log_denial(svc, w, p, LogKind::deny, to_string(reason), route, headers, method);
      deny(res, p);
      return finish();
    }
  }
  if (report_route != nullptr) {
    w.metrics.count(kReportOnly, report_reason);
    log_denial(svc, w, p, LogKind::report_only, to_string(report_reason), report_route, headers,
               method);
    if (p.claim_headers) set_claim_headers(res, nullptr);
  } else if (checked) {
    w.metrics.count(kAllow, Reason::ok);
    if (p.claim_headers) set_claim_headers(res, &w.claims);
  } else {
    w.metrics.count(kUnprotected);
    if (p.claim_headers) set_claim_headers(res, nullptr);
  }
  finish();
}

void answer_refused(Service& svc, std::size_t worker, http::status status, Response& res) {
  WorkerState& w = svc.worker(worker);
  const Policy& p = svc.policy(w);
  w.metrics.count(kBadRequest);
  if (svc.log().admit(w.log, LogKind::deny, p.log_rate, svc.threads())) {
    svc.log().bad_request(w.log, static_cast<unsigned>(status));
  }
  deny(res, p);
}

}  // namespace approov::authd
