#include "jwks_fetcher.hpp"

#include <curl/curl.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "approov/version.hpp"

namespace approov {

const char* to_string(JwksRefresh::Trigger trigger) noexcept {
  switch (trigger) {
    case JwksRefresh::Trigger::startup:
      return "startup";
    case JwksRefresh::Trigger::interval:
      return "interval";
    case JwksRefresh::Trigger::unknown_kid:
      return "unknown_kid";
    case JwksRefresh::Trigger::retry:
      return "retry";
  }
  return "unknown";
}

const char* to_string(JwksRefresh::Outcome outcome) noexcept {
  switch (outcome) {
    case JwksRefresh::Outcome::updated:
      return "updated";
    case JwksRefresh::Outcome::unchanged:
      return "unchanged";
    case JwksRefresh::Outcome::failed:
      return "failed";
  }
  return "unknown";
}

namespace {

using Clock = std::chrono::steady_clock;

// libcurl's global state, set up once per process before the first handle.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Body {
  std::string text;
  bool too_large = false;
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const std::size_t n = size * count;
  if (body->text.size() + n > kMaxJwksSize) {
    body->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  try {
    body->text.append(data, n);
  } catch (...) {
    return 0;
  }
  return n;
}

// One GET of the URL. Returns the body, or sets `error`.
std::string fetch(const JwksFetcherOptions& options, std::string& error) {
  init_curl_once();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    error = "libcurl could not start a transfer";
    return {};
  }
  Body body;
  char curl_error[CURL_ERROR_SIZE] = {};
  const std::string agent = std::string("approov-cpp/") + APPROOV_VERSION_STRING;
  curl_slist* headers =
      curl_slist_append(nullptr, "Accept: application/jwk-set+json, application/json");
  curl_easy_setopt(curl, CURLOPT_URL, options.url.c_str());
  // HTTPS only, here and (were redirects followed) after any redirect; no redirects.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);
  if (body.too_large) {
    error = "the JWKS is larger than " + std::to_string(kMaxJwksSize) + " bytes";
    return {};
  }
  if (code != CURLE_OK) {
    error = curl_error[0] != '\0' ? std::string(curl_error) : std::string(curl_easy_strerror(code));
    return {};
  }
  if (status != 200) {
    error = "HTTP status " + std::to_string(status) + " (200 expected)";
    return {};
  }
  return std::move(body.text);
}

}  // namespace

class JwksFetcher::Impl {
 public:
  Impl(std::shared_ptr<KeySet> set, JwksFetcherOptions options)
      : set_(std::move(set)), options_(std::move(options)) {}

  ~Impl() { stop(); }

  // One refresh: fetch, compare, replace. Reports and counts the outcome.
  JwksRefresh refresh(JwksRefresh::Trigger trigger) {
    JwksRefresh r;
    r.trigger = trigger;
    std::string error;
    std::string body = fetch(options_, error);
    if (!error.empty()) {
      r.outcome = JwksRefresh::Outcome::failed;
      r.message = error;
    } else if (have_body_ && body == last_body_) {
      r.outcome = JwksRefresh::Outcome::unchanged;
    } else {
      const std::string problem = set_->replace_from_jwks(body, "the JWKS");
      if (problem.empty()) {
        r.outcome = JwksRefresh::Outcome::updated;
        last_body_ = std::move(body);
        have_body_ = true;
      } else {
        r.outcome = JwksRefresh::Outcome::failed;
        r.message = problem;
      }
    }
    r.keys = set_->keys().size();
    r.generation = set_->generation();
    switch (r.outcome) {
      case JwksRefresh::Outcome::updated:
        updated_.fetch_add(1, std::memory_order_relaxed);
        break;
      case JwksRefresh::Outcome::unchanged:
        unchanged_.fetch_add(1, std::memory_order_relaxed);
        break;
      case JwksRefresh::Outcome::failed:
        failed_.fetch_add(1, std::memory_order_relaxed);
        break;
    }
    last_failed_ = r.outcome == JwksRefresh::Outcome::failed;
    last_fetch_ = Clock::now();
    if (options_.on_refresh) {
      try {
        options_.on_refresh(r);
      } catch (...) {  // a reporting problem must not stop the refresher
      }
    }
    return r;
  }

  void start_thread() {
    thread_ = std::thread([this] { run(); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    set_->wake();
    if (thread_.joinable()) thread_.join();
  }

  JwksRefreshCounters counters() const noexcept {
    JwksRefreshCounters c;
    c.updated = updated_.load(std::memory_order_relaxed);
    c.unchanged = unchanged_.load(std::memory_order_relaxed);
    c.failed = failed_.load(std::memory_order_relaxed);
    c.unknown_kid_requests = set_->refresh_requests();
    return c;
  }

  const std::shared_ptr<KeySet>& set() const noexcept { return set_; }
  const JwksFetcherOptions& options() const noexcept { return options_; }

 private:
  bool stopping() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_;
  }

  // The refresher: sleeps until the next refresh is due or a verification asks for one (the
  // KeySet's request, seen within 200 ms), and honours the rate limit.
  void run() {
    bool requested = false;
    while (!stopping()) {
      const auto now = Clock::now();
      const auto interval_due = last_fetch_ + options_.refresh_interval;
      const auto gap_due = last_fetch_ + options_.min_refresh_gap;
      JwksRefresh::Trigger trigger;
      if (now >= interval_due) {
        trigger = JwksRefresh::Trigger::interval;
      } else if (last_failed_ && now >= gap_due) {
        trigger = JwksRefresh::Trigger::retry;
      } else if (requested && now >= gap_due) {
        trigger = JwksRefresh::Trigger::unknown_kid;
      } else {
        // Wait for a request, or until the next refresh that would be due without one.
        auto until = interval_due;
        if ((last_failed_ || requested) && gap_due < until) until = gap_due;
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
        if (set_->wait_for_refresh_request(std::min(wait, std::chrono::milliseconds(1000)) +
                                           std::chrono::milliseconds(1))) {
          requested = true;
        }
        continue;
      }
      requested = false;
      refresh(trigger);
    }
  }

  std::shared_ptr<KeySet> set_;
  JwksFetcherOptions options_;
  std::thread thread_;
  std::mutex mutex_;
  bool stopping_ = false;
  // Refresher state: touched by the start-up fetch, then only by the refresher thread.
  Clock::time_point last_fetch_{};
  bool last_failed_ = false;
  bool have_body_ = false;
  std::string last_body_;
  std::atomic<std::uint64_t> updated_{0}, unchanged_{0}, failed_{0};
};

Configured<std::unique_ptr<JwksFetcher>> JwksFetcher::start(std::shared_ptr<KeySet> key_set,
                                                            JwksFetcherOptions options) {
  using Result = Configured<std::unique_ptr<JwksFetcher>>;
  const std::string name = "JWKS URL " + options.url;
  if (key_set == nullptr) return Result::failure(name + ": no key set to fill");
  if (options.url.rfind("https://", 0) != 0) {
    return Result::failure(name + ": only https:// URLs are fetched");
  }
  if (options.refresh_interval.count() <= 0 || options.min_refresh_gap.count() < 0 ||
      options.timeout.count() <= 0) {
    return Result::failure(name + ": the refresh interval and timeout must be positive");
  }
  auto impl = std::make_unique<Impl>(std::move(key_set), std::move(options));
  const JwksRefresh first = impl->refresh(JwksRefresh::Trigger::startup);
  if (first.outcome == JwksRefresh::Outcome::failed) {
    return Result::failure(name + ": " + first.message);
  }
  impl->start_thread();
  return std::unique_ptr<JwksFetcher>(new JwksFetcher(std::move(impl)));
}

JwksFetcher::JwksFetcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

JwksFetcher::~JwksFetcher() = default;

JwksRefreshCounters JwksFetcher::counters() const noexcept {
  return impl_->counters();
}

const std::shared_ptr<KeySet>& JwksFetcher::key_set() const noexcept {
  return impl_->set();
}

}  // namespace approov
