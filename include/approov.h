/* C API of approov-cpp: verify Approov tokens from C or any language with a C FFI.
 *
 * Ownership: every object created by an approov_*_new function is owned by the caller and
 * released with the matching approov_*_free (which accept NULL). Strings passed in are
 * (pointer, length) pairs and are not retained after the call returns. Views returned by
 * approov_claims_json point into the claims object and stay valid until it is freed or
 * reused; approov_claims_string copies into a buffer the caller owns.
 *
 * Thread safety: an approov_verifier is immutable after creation and may be used by any
 * number of threads at once. An approov_claims must not be written by two threads at once
 * (approov_verify writes it; the lookups only read).
 *
 * Allocation: only the _new functions allocate. approov_verify and the lookups never do, and
 * never take a lock.
 *
 * No C++ exception ever crosses this API; allocation failure at creation returns NULL.
 * Nothing here logs; error messages never contain the secret.
 */
#ifndef APPROOV_H
#define APPROOV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Results that must not be ignored (a verification outcome above all). */
#if defined(__GNUC__) || defined(__clang__)
#define APPROOV_NODISCARD __attribute__((warn_unused_result))
#else
#define APPROOV_NODISCARD
#endif

/* Reason codes: the same table as approov::Reason (approov/reason_list.h), so the values are
 * identical and stable; new codes are only ever appended. approov_reason_string gives the
 * snake_case name, approov_reason_description a sentence for people. */
enum approov_reason {
#define APPROOV_REASON(name, NAME, value, text) APPROOV_##NAME = value,
#include "approov/reason_list.h"
#undef APPROOV_REASON
  APPROOV_REASON_COUNT /* number of reason codes in this version (not itself a reason) */
};

typedef enum approov_secret_encoding {
  APPROOV_SECRET_BASE64 = 0,   /* standard alphabet, padding required */
  APPROOV_SECRET_BASE64URL = 1 /* URL-safe alphabet, padding optional */
} approov_secret_encoding;

typedef struct approov_verifier approov_verifier;
typedef struct approov_claims approov_claims;

/* Creates a verifier from one secret in text form. On failure returns NULL and, if `error`
 * is not NULL, writes a NUL-terminated message (truncated to error_size) that names the
 * problem but never the secret. leeway_seconds: 0..300. */
approov_verifier* approov_verifier_new(const char* secret, size_t secret_len,
                                       approov_secret_encoding encoding, int64_t leeway_seconds,
                                       char* error, size_t error_size);

/* Same, reading APPROOV_BASE64_SECRET or APPROOV_BASE64URL_SECRET from the environment. */
approov_verifier* approov_verifier_new_from_env(int64_t leeway_seconds, char* error,
                                                size_t error_size);

/* ---- a verifier from a configuration: secrets, keysets, audience, issuer, leeway ----------
 *
 * Build an approov_config step by step, then make any number of verifiers from it. Each add or
 * set function returns 0, or -1 and writes a NUL-terminated message (truncated to error_size;
 * naming the setting and the problem, never a secret) into `error` when it is not NULL; a
 * failed call leaves the configuration as it was. Strings are (pointer, length) pairs, copied.
 * A configuration is not safe to change from two threads at once.
 *
 * Secrets and keys may be combined: a token's `kid` and `alg` then decide which key verifies
 * it (HS256 tokens without `kid` go to the secrets, as Approov's default tokens do); see
 * docs/KEYSETS.md. Algorithms are the RFC 7518 names: "RS256" ... "PS512", "ES256", "ES384",
 * "ES512", "EdDSA". */
typedef struct approov_config approov_config;

approov_config* approov_config_new(void); /* NULL if out of memory */
void approov_config_free(approov_config* config);

/* An HMAC secret in text form, with an optional key id (key_id NULL or key_id_len 0: none). */
APPROOV_NODISCARD int approov_config_add_secret(approov_config* config, const char* secret,
                                                size_t secret_len, approov_secret_encoding encoding,
                                                const char* key_id, size_t key_id_len, char* error,
                                                size_t error_size);

/* Every key of a JWKS document ({"keys":[...]}): all or none (a malformed key, a duplicate kid,
 * an unsupported kty/crv/alg, a private member... refuse the whole set). */
APPROOV_NODISCARD int approov_config_add_jwks(approov_config* config, const char* jwks,
                                              size_t jwks_len, char* error, size_t error_size);

/* One PEM public key ("PUBLIC KEY" or "RSA PUBLIC KEY") with its key id and algorithm. */
APPROOV_NODISCARD int approov_config_add_pem_key(approov_config* config, const char* pem,
                                                 size_t pem_len, const char* key_id,
                                                 size_t key_id_len, const char* alg, size_t alg_len,
                                                 char* error, size_t error_size);

/* The keys of a file: a JWKS, a JWK (alg optional when the JWK has one; key_id must be empty)
 * or a PEM public key (key_id and alg required). Empty strings (or NULL) mean "not given". */
APPROOV_NODISCARD int approov_config_add_key_file(approov_config* config, const char* path,
                                                  size_t path_len, const char* key_id,
                                                  size_t key_id_len, const char* alg,
                                                  size_t alg_len, char* error, size_t error_size);

/* Require `aud` to equal `audience` (or, for an array, to contain it), and `iss` to equal
 * `issuer`: APPROOV_BAD_AUDIENCE, APPROOV_BAD_ISSUER otherwise. */
APPROOV_NODISCARD int approov_config_set_audience(approov_config* config, const char* audience,
                                                  size_t audience_len, char* error,
                                                  size_t error_size);
APPROOV_NODISCARD int approov_config_set_issuer(approov_config* config, const char* issuer,
                                                size_t issuer_len, char* error, size_t error_size);
/* Clock leeway for exp, nbf and iat: 0..300 seconds (default 0). */
APPROOV_NODISCARD int approov_config_set_leeway(approov_config* config, int64_t seconds,
                                                char* error, size_t error_size);

/* A verifier from the configuration (which stays the caller's and may be freed right after).
 * NULL, with a message, if it holds no secret or key, or two keys share a key id. */
approov_verifier* approov_verifier_new_from_config(const approov_config* config, char* error,
                                                   size_t error_size);

void approov_verifier_free(approov_verifier* verifier);

/* Verifies a token at time `now` (Unix seconds). Returns an approov_reason (APPROOV_OK when
 * valid). `claims` may be NULL; otherwise it receives the claims of a valid token. */
APPROOV_NODISCARD int approov_verify(const approov_verifier* verifier, const char* token,
                                     size_t token_len, int64_t now, approov_claims* claims);

/* Token binding on verified claims: `bound` is the raw value of the bound header(s),
 * concatenated, hashed exactly as given (no trimming). An empty value is a missing header,
 * even when allow_missing_pay (non-zero: accept a token without `pay`) is set. Returns an
 * approov_reason; APPROOV_MISSING_PAY when `claims` is NULL or holds no valid token. */
APPROOV_NODISCARD int approov_check_binding(const approov_claims* claims, const char* bound,
                                            size_t bound_len, int allow_missing_pay);

/* Claims storage (about 12 KiB), reusable across verifications. NULL if out of memory. */
approov_claims* approov_claims_new(void);
void approov_claims_free(approov_claims* claims);

/* For callers that keep claims in their own memory (a request pool, a per-thread buffer)
 * instead of approov_claims_new: the size and alignment the object needs, placing one in
 * `memory` (no allocation; NULL if `memory` is NULL or misaligned), and ending its life
 * without freeing the memory. */
size_t approov_claims_size(void);
size_t approov_claims_align(void);
approov_claims* approov_claims_init(void* memory);
void approov_claims_destroy(approov_claims* claims);

/* `exp` of the last valid token, as a double. */
double approov_claims_exp(const approov_claims* claims);

/* The key id of the key that verified the last valid token, as a view into the claims object
 * (not NUL-terminated; length 0 for a secret without id), and its algorithm ("HS256", "ES256",
 * ...; a static string). APPROOV_CLAIM_ABSENT, resp. NULL, when `claims` holds no valid token. */
APPROOV_NODISCARD int approov_claims_key_id(const approov_claims* claims, const char** key_id,
                                            size_t* key_id_len);
const char* approov_claims_algorithm(const approov_claims* claims);

/* Results of the claim lookups. */
enum approov_claim_result {
  APPROOV_CLAIM_ABSENT = 0,   /* no such claim (or not a string, for _string), or no valid token */
  APPROOV_CLAIM_FOUND = 1,    /* found; the value was written */
  APPROOV_CLAIM_TOO_LONG = -1 /* _string only: found, but longer than the buffer; *value_len
                                 says how many bytes are needed, nothing was written */
};

/* A top-level string claim, unescaped (UTF-8), copied into the caller's `buffer` of
 * `buffer_size` bytes (not NUL-terminated); its length goes to *value_len. The name is
 * (name, name_len). An unescaped value is never longer than the claim's raw JSON text (see
 * approov_claims_json), which gives a buffer size that always fits. No allocation, no lock:
 * safe to call from several threads on one claims object that no thread is writing. */
APPROOV_NODISCARD int approov_claims_string(const approov_claims* claims, const char* name,
                                            size_t name_len, char* buffer, size_t buffer_size,
                                            size_t* value_len);

/* A top-level claim's raw JSON text (strings with their quotes, escaped as signed), as a view
 * into the claims object: valid until the object is reused or freed. Not NUL-terminated.
 * Returns APPROOV_CLAIM_FOUND or APPROOV_CLAIM_ABSENT. */
APPROOV_NODISCARD int approov_claims_json(const approov_claims* claims, const char* name,
                                          size_t name_len, const char** value, size_t* value_len);

/* Stable snake_case name of a reason ("bad_signature"); "unknown" for other values. Static. */
const char* approov_reason_string(int reason);

/* One sentence saying what a reason means, for people; "unknown reason" for other values.
 * Static. */
const char* approov_reason_description(int reason);

/* Library version, e.g. "0.1.0". Static. */
const char* approov_version(void);

/* ---- Whole-request checks: the token header, token binding, message signatures ------------
 *
 * An approov_check reads the token from a request (a header name and an optional prefix),
 * verifies it with a verifier, and runs what an approov_route asks: token binding and RFC 9421
 * message signatures (docs/MESSAGE_SIGNING.md). Both are immutable after set-up and may be
 * shared by any number of threads; approov_check_request allocates nothing of its own. */

typedef struct approov_check approov_check;
typedef struct approov_route approov_route;

/* Events of a shared replay store (Redis), for a log line: it stopped answering
 * (APPROOV_REPLAY_STORE_DOWN), or answers again (APPROOV_REPLAY_STORE_UP). `message` (not
 * NUL-terminated, valid during the call) says what happened and never holds a password, key or
 * signature; `unavailable_answers` counts the requests it answered "unavailable" since the
 * previous event. Called on a request thread, rate limited by the store (at most one DOWN
 * event per 10 s, and one UP after each reported DOWN): it must be thread-safe and quick. */
enum approov_replay_event_kind { APPROOV_REPLAY_STORE_DOWN = 1, APPROOV_REPLAY_STORE_UP = 2 };
typedef void (*approov_replay_event_fn)(void* context, int kind, const char* message,
                                        size_t message_len, uint64_t unavailable_answers);

/* Message-signing settings of a check. Zero-initialise, then set what you need; lengths of 0
 * mean "not set".
 *
 * ABI: the replay_store... fields were appended after 0.1.0, so the struct is larger than in
 * 0.1.0: code compiled against an older approov.h must be rebuilt (source stays compatible:
 * zero-initialised new fields keep the old behaviour). */
typedef struct approov_signing_options {
  const char* account_secret; /* the account message-signing secret, in text form */
  size_t account_secret_len;
  approov_secret_encoding account_secret_encoding;
  const char* account_key_id; /* if set, a token's mskid must equal it */
  size_t account_key_id_len;
  const char* base_url; /* public base URL, e.g. "https://api.example.com" */
  size_t base_url_len;
  int64_t clock_skew_seconds;   /* 0: the default (60); 1..300 */
  int64_t max_lifetime_seconds; /* 0: the default (300) */
  int replay_protection;        /* non-zero: refuse a signature seen before (in-process store) */
  /* The replay store in text form: "memory", "redis://[USER:PASSWORD@]HOST[:PORT][/DB]" or
   * "unix:PATH[?db=N]" (Redis, shared by every instance; docs/REPLAY.md), or "none". When set,
   * it replaces replay_protection. A Redis URL in a library built without hiredis is refused
   * by approov_check_new, with a message that says so. */
  const char* replay_store;
  size_t replay_store_len;
  /* Non-zero: when the replay store cannot answer (Redis down or slow), let the request
   * through (counted in approov_replay_stats.unavailable) instead of refusing it with
   * APPROOV_REPLAY_STORE_UNAVAILABLE (the default). */
  int replay_fail_open;
  approov_replay_event_fn replay_event; /* optional: the store's events (see above) */
  void* replay_event_context;
} approov_signing_options;

/* A check over `verifier` (copied: the verifier may be freed afterwards). `token_header`
 * (NULL: "Approov-Token"), `prefix` (NULL or empty: none, else e.g. "Bearer "), `signing`
 * (NULL: defaults, no account secret). On failure NULL and a message in `error` that never
 * contains a secret. */
approov_check* approov_check_new(const approov_verifier* verifier, const char* token_header,
                                 size_t token_header_len, const char* prefix, size_t prefix_len,
                                 const approov_signing_options* signing, char* error,
                                 size_t error_size);
void approov_check_free(approov_check* check);

/* What a check's replay store has answered since it was made, for metrics (counters only
 * grow). The connection fields are those of a Redis store (zero for the in-process one). */
typedef struct approov_replay_stats {
  uint64_t stored;           /* signatures recorded (first seen) */
  uint64_t replayed;         /* signatures refused as replayed */
  uint64_t unavailable;      /* answers "unavailable": refused, or let through when fail-open */
  uint64_t connects;         /* connections opened, first ones and reconnections */
  uint64_t connect_failures; /* connection attempts that failed (each starts a back-off) */
  uint64_t timeouts;         /* connects or commands that ran out of time */
  uint64_t errors;           /* other failures: refused or closed connections, error replies */
} approov_replay_stats;

/* Copies the replay store's counters into `stats`, at most `stats_size` bytes (pass
 * sizeof(approov_replay_stats): a later version's extra fields are then left out). Returns 0,
 * or -1 when the check has no replay store (or an argument is NULL). */
int approov_check_replay_stats(const approov_check* check, approov_replay_stats* stats,
                               size_t stats_size);

/* A route: a token check by default. NULL if out of memory. */
approov_route* approov_route_new(void);
void approov_route_free(approov_route* route);
/* Adds a bound header (token binding: pay is the SHA-256 of the bound headers' values, in the
 * order added). Returns 0, or -1 for a name that is not an HTTP field name. */
int approov_route_add_binding_header(approov_route* route, const char* name, size_t name_len);
/* With binding: accept a token without pay (Approov failover tokens). */
void approov_route_allow_missing_pay(approov_route* route, int allow);
/* Checks message signatures on this route; `require` non-zero refuses tokens that call for no
 * signature (missing_signature). */
void approov_route_check_signatures(approov_route* route, int require);
/* Replaces the default list of components every signature must cover (call once per name,
 * e.g. "@method", "content-digest"). Returns 0, or -1 for a name that cannot be required. */
int approov_route_require_component(approov_route* route, const char* name, size_t name_len);

/* Receives one field line's value (valid only during the call). */
typedef void (*approov_field_line_fn)(void* sink, const char* value, size_t value_len);

/* A request as the caller's server sees it. Strings are (pointer, length) and need stay valid
 * only during approov_check_request. `fields` must call `line(sink, value, len)` for EVERY
 * field line of the header section named (name, name_len), compared case-insensitively, in
 * the order received, never merging or dropping any, and return how many there were. */
typedef struct approov_request {
  const char* method;
  size_t method_len;
  const char* scheme; /* "http" or "https" */
  size_t scheme_len;
  const char* authority; /* the Host header, or empty */
  size_t authority_len;
  const char* target; /* path and query as received */
  size_t target_len;
  size_t (*fields)(void* context, const char* name, size_t name_len, approov_field_line_fn line,
                   void* sink);
  void* context;
  const char* body; /* the whole body when it has been read, with body_available non-zero */
  size_t body_len;
  int body_available;
} approov_request;

/* Runs the route's check on a request at time `now`. Returns an approov_reason; `claims` (may
 * be NULL) receives the claims when the token is valid. */
APPROOV_NODISCARD int approov_check_request(const approov_check* check,
                                            const approov_request* request, int64_t now,
                                            const approov_route* route, approov_claims* claims);

/* The token text as the check reads it (for a log line's fingerprint), or the reason it
 * cannot be read. The view points into the request's field value. */
APPROOV_NODISCARD int approov_check_token(const approov_check* check,
                                          const approov_request* request, const char** token,
                                          size_t* token_len);

/* A short, non-reversible identifier of a token for logs: 16 lowercase hex characters and a
 * NUL (the first 8 bytes of its SHA-256). Never log the token itself. */
void approov_token_fingerprint(const char* token, size_t token_len, char out[17]);

#ifdef __cplusplus
}
#endif

#endif /* APPROOV_H */
