/* Tests of the C API (include/approov.h), compiled as C. Reads the public Approov test data from
 * tests/data/approov-test-tokens.env. Exits non-zero if any check fails. */
#define _POSIX_C_SOURCE 200809L

#include <approov.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

#define CHECK_REASON(got, want)                                                                    \
  do {                                                                                             \
    int got_ = (got);                                                                              \
    if (got_ != (want)) {                                                                          \
      fprintf(stderr, "%s:%d: got %s, want %s\n", __FILE__, __LINE__, approov_reason_string(got_), \
              approov_reason_string(want));                                                        \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)

/* ---- test data ------------------------------------------------------------------------------ */

enum { kMaxValue = 4096 };
static char secret_b64[kMaxValue], token_small[kMaxValue], token_large[kMaxValue],
    token_bind[kMaxValue], auth_header[kMaxValue], token_badsig[kMaxValue],
    token_escaped[kMaxValue];

static void load_test_data(const char* path) {
  struct {
    const char* name;
    char* out;
  } wanted[] = {{"APPROOV_BASE64_SECRET", secret_b64}, {"TOKEN_SMALL", token_small},
                {"TOKEN_LARGE", token_large},          {"TOKEN_BIND", token_bind},
                {"AUTH_HEADER", auth_header},          {"TOKEN_BADSIG", token_badsig},
                {"TOKEN_ESCAPED", token_escaped}};
  char line[kMaxValue + 64];
  FILE* f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  while (fgets(line, sizeof line, f) != NULL) {
    char* eq = strchr(line, '=');
    size_t i;
    if (line[0] == '#' || eq == NULL) continue;
    *eq = '\0';
    for (i = 0; i < sizeof wanted / sizeof wanted[0]; ++i) {
      if (strcmp(line, wanted[i].name) == 0) {
        char* value = eq + 1;
        size_t n = strcspn(value, "\r\n");
        if (n >= 2 && value[0] == '\'') {
          value += 1;
          n -= 2;
        }
        memcpy(wanted[i].out, value, n);
        wanted[i].out[n] = '\0';
      }
    }
  }
  fclose(f);
  for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; ++i) {
    if (wanted[i].out[0] == '\0') {
      fprintf(stderr, "no %s in %s\n", wanted[i].name, path);
      exit(2);
    }
  }
}

/* True if `message` contains any 8-character piece of `secret`. */
static int leaks(const char* message, const char* secret) {
  size_t n = strlen(secret);
  for (size_t i = 0; i + 8 <= n; ++i) {
    char piece[9];
    memcpy(piece, secret + i, 8);
    piece[8] = '\0';
    if (strstr(message, piece) != NULL) return 1;
  }
  return 0;
}

static void to_base64url(char* s, int keep_padding) {
  for (char* p = s; *p != '\0'; ++p) {
    if (*p == '+') *p = '-';
    if (*p == '/') *p = '_';
  }
  if (!keep_padding) {
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '=') s[--n] = '\0';
  }
}

static const int64_t kNow = 1700000000;

static int verify(const approov_verifier* v, const char* token, int64_t now, approov_claims* c) {
  return approov_verify(v, token, strlen(token), now, c);
}

/* A claim lookup by NUL-terminated name, for brevity here (the API takes (ptr, len)). */
static int string_claim(const approov_claims* c, const char* name, char* buffer, size_t size,
                        size_t* len) {
  return approov_claims_string(c, name, name == NULL ? 0 : strlen(name), buffer, size, len);
}

static int json_claim(const approov_claims* c, const char* name, const char** value, size_t* len) {
  return approov_claims_json(c, name, name == NULL ? 0 : strlen(name), value, len);
}

static int string_claim_is(const approov_claims* c, const char* name, const char* want) {
  char value[512];
  size_t len = 0;
  if (string_claim(c, name, value, sizeof value, &len) != APPROOV_CLAIM_FOUND) return 0;
  return len == strlen(want) && memcmp(value, want, len) == 0;
}

static int json_claim_is(const approov_claims* c, const char* name, const char* want) {
  const char* value = NULL;
  size_t len = 0;
  if (json_claim(c, name, &value, &len) != APPROOV_CLAIM_FOUND) return 0;
  return len == strlen(want) && memcmp(value, want, len) == 0;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_create_from_base64_and_base64url(void) {
  char error[256] = "untouched";
  char url[kMaxValue];
  approov_verifier* v = approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64,
                                             0, error, sizeof error);
  CHECK(v != NULL);
  CHECK_REASON(verify(v, token_small, kNow, NULL), APPROOV_OK);
  approov_verifier_free(v);

  for (int pad = 0; pad <= 1; ++pad) {
    strcpy(url, secret_b64);
    to_base64url(url, pad);
    v = approov_verifier_new(url, strlen(url), APPROOV_SECRET_BASE64URL, 0, error, sizeof error);
    CHECK(v != NULL);
    CHECK_REASON(verify(v, token_small, kNow, NULL), APPROOV_OK);
    approov_verifier_free(v);
  }
  /* Surrounding whitespace is trimmed; the length argument is honoured (no strlen). */
  {
    char padded[kMaxValue + 8];
    snprintf(padded, sizeof padded, "  %s\n", secret_b64);
    v = approov_verifier_new(padded, strlen(padded), APPROOV_SECRET_BASE64, 0, NULL, 0);
    CHECK(v != NULL);
    approov_verifier_free(v);
  }
}

static void test_bad_secrets(void) {
  char error[256];
  char text[kMaxValue];
  approov_verifier* v;

  /* Standard base64 without its padding. */
  strcpy(text, secret_b64);
  text[strlen(text) - 2] = '\0';
  error[0] = '\0';
  v = approov_verifier_new(text, strlen(text), APPROOV_SECRET_BASE64, 0, error, sizeof error);
  CHECK(v == NULL);
  CHECK(strlen(error) > 0);
  CHECK(!leaks(error, text));
  CHECK(strstr(error, "base64") != NULL);

  /* Standard alphabet given as base64url. */
  error[0] = '\0';
  v = approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64URL, 0, error,
                           sizeof error);
  CHECK(v == NULL);
  CHECK(strlen(error) > 0);
  CHECK(!leaks(error, secret_b64));

  /* 31 bytes. */
  strcpy(text, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==");
  error[0] = '\0';
  v = approov_verifier_new(text, strlen(text), APPROOV_SECRET_BASE64, 0, error, sizeof error);
  CHECK(v == NULL);
  CHECK(strstr(error, "31") != NULL);

  /* Leeway out of range. */
  error[0] = '\0';
  v = approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64, 301, error,
                           sizeof error);
  CHECK(v == NULL);
  CHECK(strstr(error, "leeway") != NULL);
  v = approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64, -1, NULL, 0);
  CHECK(v == NULL);

  /* The message is truncated to the buffer and NUL-terminated; a NULL or empty buffer is fine. */
  {
    char small[8];
    memset(small, 'x', sizeof small);
    v = approov_verifier_new("bad", 3, APPROOV_SECRET_BASE64, 0, small, sizeof small);
    CHECK(v == NULL);
    CHECK(memchr(small, '\0', sizeof small) != NULL);
    CHECK(strlen(small) == sizeof small - 1);
    memset(small, 'x', sizeof small);
    v = approov_verifier_new("bad", 3, APPROOV_SECRET_BASE64, 0, small, 0);
    CHECK(v == NULL);
    CHECK(small[0] == 'x');
    v = approov_verifier_new("bad", 3, APPROOV_SECRET_BASE64, 0, NULL, 100);
    CHECK(v == NULL);
    v = approov_verifier_new(NULL, 0, APPROOV_SECRET_BASE64, 0, error, sizeof error);
    CHECK(v == NULL);
  }
}

static void test_create_from_environment(void) {
  char error[256];
  char url[kMaxValue];
  approov_verifier* v;

  unsetenv("APPROOV_BASE64URL_SECRET");
  setenv("APPROOV_BASE64_SECRET", secret_b64, 1);
  v = approov_verifier_new_from_env(0, error, sizeof error);
  CHECK(v != NULL);
  CHECK_REASON(verify(v, token_small, kNow, NULL), APPROOV_OK);
  approov_verifier_free(v);

  unsetenv("APPROOV_BASE64_SECRET");
  strcpy(url, secret_b64);
  to_base64url(url, 0);
  setenv("APPROOV_BASE64URL_SECRET", url, 1);
  v = approov_verifier_new_from_env(0, error, sizeof error);
  CHECK(v != NULL);
  approov_verifier_free(v);

  unsetenv("APPROOV_BASE64URL_SECRET");
  error[0] = '\0';
  v = approov_verifier_new_from_env(0, error, sizeof error);
  CHECK(v == NULL);
  CHECK(strstr(error, "APPROOV_BASE64_SECRET") != NULL);

  setenv("APPROOV_BASE64_SECRET", "not base64!", 1);
  error[0] = '\0';
  v = approov_verifier_new_from_env(0, error, sizeof error);
  CHECK(v == NULL);
  CHECK(strstr(error, "APPROOV_BASE64_SECRET") != NULL);
  CHECK(strstr(error, "not base64") == NULL);
  unsetenv("APPROOV_BASE64_SECRET");
}

static void test_verify(void) {
  approov_verifier* v =
      approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64, 0, NULL, 0);
  CHECK(v != NULL);
  if (v == NULL) return;
  CHECK_REASON(verify(v, token_small, kNow, NULL), APPROOV_OK);
  CHECK_REASON(verify(v, token_large, kNow, NULL), APPROOV_OK);
  CHECK_REASON(verify(v, token_badsig, kNow, NULL), APPROOV_BAD_SIGNATURE);
  CHECK_REASON(verify(v, token_small, 4708683206, NULL), APPROOV_EXPIRED);
  CHECK_REASON(verify(v, "a.b", kNow, NULL), APPROOV_MALFORMED);
  CHECK_REASON(approov_verify(v, NULL, 0, kNow, NULL), APPROOV_MISSING_TOKEN);
  CHECK_REASON(approov_verify(v, token_small, 0, kNow, NULL), APPROOV_MISSING_TOKEN);
  CHECK_REASON(approov_verify(NULL, token_small, strlen(token_small), kNow, NULL),
               APPROOV_MISSING_TOKEN);
  {
    /* Only token_len bytes are read: trailing bytes in the buffer are not part of the token. */
    char buffer[kMaxValue + 16];
    snprintf(buffer, sizeof buffer, "%sGARBAGE", token_small);
    CHECK_REASON(approov_verify(v, buffer, strlen(token_small), kNow, NULL), APPROOV_OK);
    CHECK_REASON(approov_verify(v, buffer, strlen(buffer), kNow, NULL), APPROOV_MALFORMED);
  }
  {
    /* Over the size limit. */
    static char big[9000];
    memset(big, 'a', sizeof big);
    CHECK_REASON(approov_verify(v, big, sizeof big, kNow, NULL), APPROOV_TOKEN_TOO_LONG);
  }
  approov_verifier_free(v);

  /* Leeway is applied. */
  v = approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64, 300, NULL, 0);
  CHECK(v != NULL);
  CHECK_REASON(verify(v, token_small, 4708683206, NULL), APPROOV_OK);
  CHECK_REASON(verify(v, token_small, 4708683506, NULL), APPROOV_EXPIRED);
  approov_verifier_free(v);
}

static void test_claims(void) {
  approov_verifier* v =
      approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64, 0, NULL, 0);
  approov_claims* c = approov_claims_new();
  const char* value = NULL;
  char buffer[256];
  size_t len = 0;
  CHECK(v != NULL && c != NULL);
  if (v == NULL || c == NULL) return;

  CHECK_REASON(verify(v, token_large, kNow, c), APPROOV_OK);
  CHECK(string_claim_is(c, "ip", "203.0.113.42"));
  CHECK(string_claim_is(c, "did", "hBjW4otKXIKqVya0outEFQ=="));
  CHECK(string_claim_is(c, "arc", "RVRT8L6RVG"));
  CHECK(string_claim_is(c, "pay", "VQFFPJZ682aOtxRMjz0ktCHmyWeEEeSMvXh1uD8J3vk="));
  CHECK(string_claim(c, "ipk", buffer, sizeof buffer, &len) == APPROOV_CLAIM_FOUND && len == 124);
  CHECK(string_claim(c, "mskid", buffer, sizeof buffer, &len) == APPROOV_CLAIM_ABSENT);
  CHECK(string_claim(c, "nope", buffer, sizeof buffer, &len) == APPROOV_CLAIM_ABSENT);
  /* a number, not a string */
  CHECK(string_claim(c, "exp", buffer, sizeof buffer, &len) == APPROOV_CLAIM_ABSENT);
  CHECK(json_claim_is(c, "exp", "4723352405.123456"));
  CHECK(json_claim_is(c, "ip", "\"203.0.113.42\""));
  CHECK(json_claim(c, "nope", &value, &len) == APPROOV_CLAIM_ABSENT);
  CHECK(fabs(approov_claims_exp(c) - 4723352405.123456) < 1e-6);
  /* Names are (ptr, len): no NUL needed, and a prefix of a name is another name. */
  CHECK(approov_claims_string(c, "ipXYZ", 2, buffer, sizeof buffer, &len) == APPROOV_CLAIM_FOUND &&
        len == 12 && memcmp(buffer, "203.0.113.42", 12) == 0);
  CHECK(approov_claims_json(c, "expiry", 3, &value, &len) == APPROOV_CLAIM_FOUND);
  /* A buffer too small: nothing written, the needed size reported. */
  memset(buffer, '#', sizeof buffer);
  CHECK(string_claim(c, "ip", buffer, 11, &len) == APPROOV_CLAIM_TOO_LONG && len == 12);
  CHECK(buffer[0] == '#');
  CHECK(string_claim(c, "ip", buffer, 12, &len) == APPROOV_CLAIM_FOUND && len == 12);
  /* Output pointers may be NULL. */
  CHECK(string_claim(c, "ip", NULL, 0, NULL) == APPROOV_CLAIM_TOO_LONG);
  CHECK(json_claim(c, "exp", NULL, NULL) == APPROOV_CLAIM_FOUND);
  CHECK(string_claim(c, NULL, buffer, sizeof buffer, &len) == APPROOV_CLAIM_ABSENT);
  CHECK(json_claim(c, NULL, &value, &len) == APPROOV_CLAIM_ABSENT);

  /* Every failed call invalidates what the object held, even one without a verifier. */
  CHECK_REASON(approov_verify(NULL, token_large, strlen(token_large), kNow, c),
               APPROOV_MISSING_TOKEN);
  CHECK(!string_claim_is(c, "ip", "203.0.113.42"));
  CHECK(approov_check_binding(c, auth_header, strlen(auth_header), 1) != APPROOV_OK);
  CHECK_REASON(verify(v, token_large, kNow, c), APPROOV_OK);
  CHECK(string_claim_is(c, "ip", "203.0.113.42"));
  CHECK_REASON(approov_verify(v, NULL, 0, kNow, c), APPROOV_MISSING_TOKEN);
  CHECK(!string_claim_is(c, "ip", "203.0.113.42"));
  CHECK_REASON(verify(v, token_large, kNow, c), APPROOV_OK);
  CHECK_REASON(verify(v, token_badsig, kNow, c), APPROOV_BAD_SIGNATURE);
  CHECK(!string_claim_is(c, "ip", "203.0.113.42"));
  CHECK(json_claim(c, "exp", &value, &len) == APPROOV_CLAIM_ABSENT);
  CHECK(approov_claims_exp(c) == 0.0);

  approov_claims_free(c);
  approov_verifier_free(v);
}

/* Strings written with JSON escapes come back unescaped, for known and unknown claims alike,
 * into the caller's buffer; the raw JSON's size always suffices. */
static void test_escaped_strings(void) {
  approov_verifier* v =
      approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64, 0, NULL, 0);
  approov_claims* c = approov_claims_new();
  const char* raw = NULL;
  char buffer[64];
  size_t raw_len = 0, len = 0;
  CHECK(v != NULL && c != NULL);
  if (v == NULL || c == NULL) return;
  CHECK_REASON(verify(v, token_escaped, kNow, c), APPROOV_OK);
  CHECK(string_claim_is(c, "url", "https://example.com/a"));
  CHECK(string_claim_is(c, "name", "caf\xC3\xA9"));
  CHECK(string_claim_is(c, "sub", "a\"b"));
  CHECK(string_claim_is(c, "plain", "x"));
  CHECK(json_claim(c, "url", &raw, &raw_len) == APPROOV_CLAIM_FOUND);
  CHECK(raw_len <= sizeof buffer);
  CHECK(string_claim(c, "url", buffer, raw_len, &len) == APPROOV_CLAIM_FOUND && len == 21);
  /* The raw JSON is still available as signed. */
  CHECK(json_claim_is(c, "url", "\"https:\\/\\/example.com\\/a\""));
  approov_claims_free(c);
  approov_verifier_free(v);
}

static void test_binding(void) {
  approov_verifier* v =
      approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64, 0, NULL, 0);
  approov_claims* c = approov_claims_new();
  CHECK(v != NULL && c != NULL);
  if (v == NULL || c == NULL) return;

  CHECK_REASON(verify(v, token_bind, kNow, c), APPROOV_OK);
  CHECK_REASON(approov_check_binding(c, auth_header, strlen(auth_header), 0), APPROOV_OK);
  CHECK_REASON(approov_check_binding(c, auth_header, strlen(auth_header) - 1, 0),
               APPROOV_BINDING_MISMATCH);
  CHECK_REASON(approov_check_binding(c, "Bearer other", 12, 0), APPROOV_BINDING_MISMATCH);
  CHECK_REASON(approov_check_binding(c, "", 0, 0), APPROOV_MISSING_BINDING_HEADER);
  CHECK_REASON(approov_check_binding(c, NULL, 0, 0), APPROOV_MISSING_BINDING_HEADER);

  CHECK_REASON(verify(v, token_small, kNow, c), APPROOV_OK);
  CHECK_REASON(approov_check_binding(c, auth_header, strlen(auth_header), 0), APPROOV_MISSING_PAY);
  CHECK_REASON(approov_check_binding(c, auth_header, strlen(auth_header), 1), APPROOV_OK);

  /* No valid claims: never a success. */
  CHECK(approov_check_binding(NULL, auth_header, strlen(auth_header), 1) != APPROOV_OK);
  CHECK_REASON(verify(v, token_badsig, kNow, c), APPROOV_BAD_SIGNATURE);
  CHECK(approov_check_binding(c, auth_header, strlen(auth_header), 1) != APPROOV_OK);

  approov_claims_free(c);
  approov_verifier_free(v);
}

/* approov.h: a verifier may be used by any number of threads at once. */
struct thread_result {
  const approov_verifier* verifier;
  int wrong;
};

static void* verify_many(void* arg) {
  struct thread_result* result = (struct thread_result*)arg;
  approov_claims* c = approov_claims_new();
  int i;
  if (c == NULL) {
    result->wrong = -1;
    return NULL;
  }
  for (i = 0; i < 500; ++i) {
    if (verify(result->verifier, token_large, kNow, c) != APPROOV_OK ||
        !string_claim_is(c, "ip", "203.0.113.42")) {
      ++result->wrong;
    }
    if (verify(result->verifier, token_badsig, kNow, c) != APPROOV_BAD_SIGNATURE) ++result->wrong;
    if (verify(result->verifier, token_bind, kNow, NULL) != APPROOV_OK) ++result->wrong;
  }
  approov_claims_free(c);
  return NULL;
}

static void test_threads(void) {
  enum { kThreads = 4 };
  pthread_t threads[kThreads];
  struct thread_result results[kThreads];
  approov_verifier* v =
      approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64, 0, NULL, 0);
  int i;
  CHECK(v != NULL);
  if (v == NULL) return;
  for (i = 0; i < kThreads; ++i) {
    results[i].verifier = v;
    results[i].wrong = 0;
    CHECK(pthread_create(&threads[i], NULL, verify_many, &results[i]) == 0);
  }
  for (i = 0; i < kThreads; ++i) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    CHECK(results[i].wrong == 0);
  }
  approov_verifier_free(v);
}

static void test_reason_strings(void) {
  static const char* const names[] = {"ok",
                                      "missing_token",
                                      "duplicate_token",
                                      "bad_prefix",
                                      "token_too_long",
                                      "malformed",
                                      "bad_signature",
                                      "bad_header",
                                      "unknown_kid",
                                      "bad_json",
                                      "missing_exp",
                                      "bad_exp",
                                      "expired",
                                      "not_yet_valid",
                                      "bad_nbf",
                                      "iat_future",
                                      "bad_iat",
                                      "bad_audience",
                                      "bad_issuer",
                                      "missing_binding_header",
                                      "duplicate_binding_header",
                                      "missing_pay",
                                      "bad_pay",
                                      "binding_mismatch"};
  int i;
  CHECK(sizeof names / sizeof names[0] == APPROOV_BINDING_MISMATCH + 1);
  for (i = 0; i <= APPROOV_BINDING_MISMATCH; ++i) {
    CHECK(strcmp(approov_reason_string(i), names[i]) == 0);
  }
  CHECK(strcmp(approov_reason_string(APPROOV_BAD_SIGNATURE), "bad_signature") == 0);
  CHECK(strcmp(approov_reason_string(-1), "unknown") == 0);
  CHECK(strcmp(approov_reason_string(APPROOV_BINDING_MISMATCH + 1), "bad_algorithm") == 0);
  CHECK(strcmp(approov_reason_string(100000), "unknown") == 0);
  /* The stable names above are a prefix: later versions only append. */
  CHECK(APPROOV_REASON_COUNT >= APPROOV_BINDING_MISMATCH + 1);
  CHECK(strcmp(approov_reason_string(APPROOV_REASON_COUNT), "unknown") == 0);
  for (i = 0; i < APPROOV_REASON_COUNT; ++i) {
    CHECK(strcmp(approov_reason_string(i), "unknown") != 0);
    CHECK(strlen(approov_reason_description(i)) > 10);
  }
  CHECK(strcmp(approov_reason_description(APPROOV_REASON_COUNT), "unknown reason") == 0);
  CHECK(strcmp(approov_reason_description(APPROOV_EXPIRED), "now >= exp + leeway") == 0);
  CHECK(approov_version() != NULL && strcmp(approov_version(), "") != 0);
}

static void test_null_safety(void) {
  const char* value = NULL;
  char buffer[16];
  size_t len = 0;
  approov_verifier_free(NULL);
  approov_claims_free(NULL);
  CHECK(string_claim(NULL, "ip", buffer, sizeof buffer, &len) == APPROOV_CLAIM_ABSENT);
  CHECK(json_claim(NULL, "exp", &value, &len) == APPROOV_CLAIM_ABSENT);
  CHECK(approov_claims_exp(NULL) == 0.0);
  {
    /* A fresh claims object holds nothing. */
    approov_claims* c = approov_claims_new();
    CHECK(c != NULL);
    CHECK(string_claim(c, "ip", buffer, sizeof buffer, &len) == APPROOV_CLAIM_ABSENT);
    CHECK(json_claim(c, "exp", &value, &len) == APPROOV_CLAIM_ABSENT);
    CHECK(approov_claims_exp(c) == 0.0);
    CHECK(approov_check_binding(c, "x", 1, 1) != APPROOV_OK);
    approov_claims_free(c);
  }
}

/* ---- configuration builder: secrets, keysets, audience, issuer, leeway ---------------------- */

/* RFC 7515 A.3: the ES256 example key (as a JWKS and as PEM) and its token (iss "joe", exp
 * 1300819380, no kid). */
static const char kRfcEcJwks[] =
    "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"rfc-a3\",\"alg\":\"ES256\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}";
static const char kRfcEcPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n"
    "6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"
    "-----END PUBLIC KEY-----\n";
static const char kRfcEcToken[] =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
static const int64_t kRfcNow = 1300819000;

#define S(text) text, strlen(text)

static void test_config_keyset_beside_secret(void) {
  char error[256] = "";
  approov_config* config = approov_config_new();
  approov_verifier* v;
  approov_claims* c = approov_claims_new();
  const char* kid = NULL;
  size_t kid_len = 0;
  CHECK(config != NULL && c != NULL);
  CHECK(approov_config_add_secret(config, S(secret_b64), APPROOV_SECRET_BASE64, NULL, 0, error,
                                  sizeof error) == 0);
  CHECK(approov_config_add_jwks(config, S(kRfcEcJwks), error, sizeof error) == 0);
  v = approov_verifier_new_from_config(config, error, sizeof error);
  approov_config_free(config); /* the verifier does not need it */
  CHECK(v != NULL);
  if (v == NULL) {
    fprintf(stderr, "%s\n", error);
    approov_claims_free(c);
    return;
  }
  /* The keyset token (no kid, the keyset's only key) and Approov's default token both verify. */
  CHECK_REASON(verify(v, kRfcEcToken, kRfcNow, c), APPROOV_OK);
  CHECK(approov_claims_key_id(c, &kid, &kid_len) == APPROOV_CLAIM_FOUND);
  CHECK(kid_len == 6 && memcmp(kid, "rfc-a3", 6) == 0);
  CHECK(approov_claims_algorithm(c) != NULL && strcmp(approov_claims_algorithm(c), "ES256") == 0);
  CHECK(string_claim_is(c, "iss", "joe"));
  CHECK_REASON(verify(v, token_small, kNow, c), APPROOV_OK);
  CHECK(strcmp(approov_claims_algorithm(c), "HS256") == 0);
  CHECK(approov_claims_key_id(c, &kid, &kid_len) == APPROOV_CLAIM_FOUND && kid_len == 0);
  CHECK_REASON(verify(v, token_badsig, kNow, c), APPROOV_BAD_SIGNATURE);
  CHECK(approov_claims_algorithm(c) == NULL);
  CHECK(approov_claims_key_id(c, &kid, &kid_len) == APPROOV_CLAIM_ABSENT);
  CHECK_REASON(verify(v, kRfcEcToken, 1300819380, c), APPROOV_EXPIRED);
  approov_verifier_free(v);
  approov_claims_free(c);
}

static void test_config_pem_audience_issuer_leeway(void) {
  char error[256] = "";
  approov_config* config = approov_config_new();
  approov_verifier* v;
  CHECK(approov_config_add_pem_key(config, S(kRfcEcPem), S("pem-1"), S("ES256"), error,
                                   sizeof error) == 0);
  CHECK(approov_config_set_issuer(config, S("joe"), error, sizeof error) == 0);
  CHECK(approov_config_set_leeway(config, 300, error, sizeof error) == 0);
  v = approov_verifier_new_from_config(config, error, sizeof error);
  CHECK(v != NULL);
  if (v != NULL) {
    CHECK_REASON(verify(v, kRfcEcToken, kRfcNow, NULL), APPROOV_OK);
    CHECK_REASON(verify(v, kRfcEcToken, 1300819380 + 299, NULL), APPROOV_OK); /* leeway */
    CHECK_REASON(verify(v, token_small, kNow, NULL), APPROOV_BAD_ALGORITHM);  /* no secret */
    approov_verifier_free(v);
  }
  /* Another issuer, then an audience the token lacks. */
  CHECK(approov_config_set_issuer(config, S("jane"), error, sizeof error) == 0);
  v = approov_verifier_new_from_config(config, error, sizeof error);
  CHECK_REASON(verify(v, kRfcEcToken, kRfcNow, NULL), APPROOV_BAD_ISSUER);
  approov_verifier_free(v);
  CHECK(approov_config_set_issuer(config, S("joe"), error, sizeof error) == 0);
  CHECK(approov_config_set_audience(config, S("api.example.com"), error, sizeof error) == 0);
  v = approov_verifier_new_from_config(config, error, sizeof error);
  CHECK_REASON(verify(v, kRfcEcToken, kRfcNow, NULL), APPROOV_BAD_AUDIENCE);
  approov_verifier_free(v);
  approov_config_free(config);
}

static void test_config_errors(void) {
  char error[256];
  approov_config* config = approov_config_new();
  approov_verifier* v;
  /* Nothing configured. */
  v = approov_verifier_new_from_config(config, error, sizeof error);
  CHECK(v == NULL && strstr(error, "no secret or key") != NULL);
  /* A bad secret: the message names the problem, not the secret. */
  CHECK(approov_config_add_secret(config, S("AAAA"), APPROOV_SECRET_BASE64, NULL, 0, error,
                                  sizeof error) == -1);
  CHECK(strstr(error, "at least 32") != NULL);
  {
    char secret[128];
    strcpy(secret, secret_b64);
    secret[10] = '*';
    CHECK(approov_config_add_secret(config, S(secret), APPROOV_SECRET_BASE64, NULL, 0, error,
                                    sizeof error) == -1);
    CHECK(!leaks(error, secret));
  }
  /* A JWKS with one bad key is refused whole, naming the key. */
  CHECK(approov_config_add_jwks(
            config,
            S("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"a\","
              "\"alg\":\"ES256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
              "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
              "{\"kty\":\"oct\",\"kid\":\"b\",\"alg\":\"HS256\",\"k\":\"c2hvcnQ\"}]}"),
            error, sizeof error) == -1);
  CHECK(strstr(error, "key #2 (kid \"b\")") != NULL && strstr(error, "at least 32") != NULL);
  CHECK(strstr(error, "c2hvcnQ") == NULL);
  CHECK(approov_config_add_jwks(config, S("{\"keys\":[]}"), error, sizeof error) == -1);
  CHECK(approov_config_add_pem_key(config, S(kRfcEcPem), S("k"), S("HS256"), error, sizeof error) ==
        -1);
  CHECK(approov_config_add_pem_key(config, S(kRfcEcPem), S("k"), S("ES384"), error, sizeof error) ==
        -1);
  CHECK(strstr(error, "does not fit") != NULL);
  CHECK(approov_config_add_pem_key(config, S(kRfcEcPem), S("k"), S("none"), error, sizeof error) ==
        -1);
  CHECK(strstr(error, "unknown algorithm") != NULL);
  CHECK(approov_config_add_key_file(config, S("/nonexistent.jwks"), NULL, 0, NULL, 0, error,
                                    sizeof error) == -1);
  CHECK(strstr(error, "cannot open") != NULL);
  CHECK(approov_config_set_leeway(config, 301, error, sizeof error) == -1);
  CHECK(approov_config_set_audience(config, NULL, 0, error, sizeof error) == -1);
  /* Failed calls left it empty. */
  v = approov_verifier_new_from_config(config, error, sizeof error);
  CHECK(v == NULL);
  /* Two keys with one kid: refused when the verifier is made. */
  CHECK(approov_config_add_pem_key(config, S(kRfcEcPem), S("rfc-a3"), S("ES256"), error,
                                   sizeof error) == 0);
  CHECK(approov_config_add_jwks(config, S(kRfcEcJwks), error, sizeof error) == 0);
  v = approov_verifier_new_from_config(config, error, sizeof error);
  CHECK(v == NULL && strstr(error, "same key id") != NULL);
  approov_config_free(config);
  /* NULL everywhere. */
  approov_config_free(NULL);
  CHECK(approov_config_add_jwks(NULL, S(kRfcEcJwks), error, sizeof error) == -1);
  CHECK(approov_verifier_new_from_config(NULL, error, sizeof error) == NULL);
  CHECK(approov_claims_algorithm(NULL) == NULL);
}

static void test_config_key_file(void) {
  char error[256] = "";
  char path[] = "/tmp/approov-capi-jwks-XXXXXX";
  const int fd = mkstemp(path);
  FILE* f = fd >= 0 ? fdopen(fd, "w") : NULL;
  approov_config* config = approov_config_new();
  approov_verifier* v;
  CHECK(f != NULL);
  if (f == NULL) return;
  fputs(kRfcEcJwks, f);
  fclose(f);
  CHECK(approov_config_add_key_file(config, S(path), NULL, 0, NULL, 0, error, sizeof error) == 0);
  v = approov_verifier_new_from_config(config, error, sizeof error);
  CHECK(v != NULL);
  CHECK_REASON(verify(v, kRfcEcToken, kRfcNow, NULL), APPROOV_OK);
  approov_verifier_free(v);
  approov_config_free(config);
  remove(path);
}

/* ---- whole-request checks ------------------------------------------------------------------- */

/* A request for the C API: fields from a NULL-terminated array of {name, value}. */
typedef struct {
  const char* const (*fields)[2];
} test_headers;

static int name_equals(const char* a, const char* b, size_t b_len) {
  size_t i;
  if (strlen(a) != b_len) return 0;
  for (i = 0; i < b_len; ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
    if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
    if (x != y) return 0;
  }
  return 1;
}

static size_t test_fields(void* context, const char* name, size_t name_len,
                          approov_field_line_fn line, void* sink) {
  const test_headers* h = (const test_headers*)context;
  size_t i, n = 0;
  for (i = 0; h->fields[i][0] != NULL; ++i) {
    if (name_equals(h->fields[i][0], name, name_len)) {
      line(sink, h->fields[i][1], strlen(h->fields[i][1]));
      ++n;
    }
  }
  return n;
}

static approov_request make_request(const test_headers* headers, const char* method,
                                    const char* target) {
  approov_request r;
  memset(&r, 0, sizeof r);
  r.method = method;
  r.method_len = strlen(method);
  r.scheme = "https";
  r.scheme_len = 5;
  r.authority = "api.example.com";
  r.authority_len = strlen(r.authority);
  r.target = target;
  r.target_len = strlen(target);
  r.fields = test_fields;
  r.context = (void*)headers;
  return r;
}

static int check_request(const approov_check* check, const char* const (*fields)[2],
                         const approov_route* route, approov_claims* claims) {
  test_headers h;
  approov_request r;
  h.fields = fields;
  r = make_request(&h, "GET", "/x");
  return approov_check_request(check, &r, kNow, route, claims);
}

static void test_request_check(void) {
  char error[256];
  approov_verifier* v =
      approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64, 0, NULL, 0);
  approov_check* check = approov_check_new(v, NULL, 0, NULL, 0, NULL, error, sizeof error);
  approov_route* token_route = approov_route_new();
  approov_route* bound_route = approov_route_new();
  approov_claims* c = approov_claims_new();
  char fp[17];
  const char* token = NULL;
  size_t token_len = 0;
  CHECK(v != NULL && check != NULL && token_route != NULL && bound_route != NULL && c != NULL);
  if (v == NULL || check == NULL || token_route == NULL || bound_route == NULL || c == NULL) return;
  approov_verifier_free(v); /* the check keeps its own copy */
  {
    const char* const ok[][2] = {{"approov-token", token_small}, {NULL, NULL}};
    const char* const none[][2] = {{"Other", "x"}, {NULL, NULL}};
    const char* const twice[][2] = {
        {"Approov-Token", token_small}, {"APPROOV-TOKEN", token_small}, {NULL, NULL}};
    const char* const empty_second[][2] = {
        {"Approov-Token", token_small}, {"Approov-Token", ""}, {NULL, NULL}};
    test_headers h;
    approov_request r;
    CHECK_REASON(check_request(check, ok, token_route, c), APPROOV_OK);
    CHECK(string_claim_is(c, "ip", "") == 0); /* TOKEN_SMALL has no ip */
    CHECK_REASON(check_request(check, none, token_route, c), APPROOV_MISSING_TOKEN);
    CHECK_REASON(check_request(check, twice, token_route, c), APPROOV_DUPLICATE_TOKEN);
    CHECK_REASON(check_request(check, empty_second, token_route, c), APPROOV_DUPLICATE_TOKEN);
    h.fields = ok;
    r = make_request(&h, "GET", "/x");
    CHECK_REASON(approov_check_token(check, &r, &token, &token_len), APPROOV_OK);
    CHECK(token_len == strlen(token_small) && memcmp(token, token_small, token_len) == 0);
    approov_token_fingerprint(token, token_len, fp);
    CHECK(strlen(fp) == 16 && !leaks(fp, token_small));
  }
  {
    /* Binding to Authorization, as the published example token is bound. */
    const char* const bound[][2] = {
        {"Approov-Token", token_bind}, {"Authorization", auth_header}, {NULL, NULL}};
    const char* const other[][2] = {
        {"Approov-Token", token_bind}, {"Authorization", "Bearer x"}, {NULL, NULL}};
    const char* const missing[][2] = {{"Approov-Token", token_bind}, {NULL, NULL}};
    CHECK(approov_route_add_binding_header(bound_route, "Authorization", 13) == 0);
    CHECK(approov_route_add_binding_header(bound_route, "Bad Name", 8) == -1);
    CHECK_REASON(check_request(check, bound, bound_route, c), APPROOV_OK);
    CHECK_REASON(check_request(check, other, bound_route, c), APPROOV_BINDING_MISMATCH);
    CHECK_REASON(check_request(check, missing, bound_route, c), APPROOV_MISSING_BINDING_HEADER);
  }
  {
    /* Signature routes: a token without ipk or mskid passes unsigned unless required. */
    const char* const ok[][2] = {{"Approov-Token", token_small}, {NULL, NULL}};
    approov_route* signing = approov_route_new();
    CHECK(signing != NULL);
    if (signing != NULL) {
      approov_route_check_signatures(signing, 0);
      CHECK_REASON(check_request(check, ok, signing, c), APPROOV_OK);
      approov_route_check_signatures(signing, 1);
      CHECK_REASON(check_request(check, ok, signing, c), APPROOV_MISSING_SIGNATURE);
      CHECK(approov_route_require_component(signing, "@method", 7) == 0);
      CHECK(approov_route_require_component(signing, "@status", 7) == -1);
      CHECK(approov_route_require_component(signing, "X-Up", 4) == -1);
      approov_route_free(signing);
    }
  }
  {
    /* Bad signing options are refused with a message that names them. */
    approov_signing_options o;
    approov_verifier* v2 =
        approov_verifier_new(secret_b64, strlen(secret_b64), APPROOV_SECRET_BASE64, 0, NULL, 0);
    memset(&o, 0, sizeof o);
    o.account_secret = "c2hvcnQ=";
    o.account_secret_len = 8;
    CHECK(approov_check_new(v2, NULL, 0, NULL, 0, &o, error, sizeof error) == NULL);
    CHECK(strstr(error, "account") != NULL);
    memset(&o, 0, sizeof o);
    o.clock_skew_seconds = 301;
    CHECK(approov_check_new(v2, NULL, 0, NULL, 0, &o, error, sizeof error) == NULL);
    CHECK(approov_check_new(NULL, NULL, 0, NULL, 0, NULL, error, sizeof error) == NULL);
    CHECK(approov_check_new(v2, "bad header", 10, NULL, 0, NULL, error, sizeof error) == NULL);
    approov_verifier_free(v2);
  }
  CHECK_REASON(approov_check_request(NULL, NULL, kNow, NULL, c), APPROOV_MISSING_TOKEN);
  {
    /* Claims in the caller's memory (a request pool, say). */
    void* memory =
        aligned_alloc(approov_claims_align(), (approov_claims_size() + approov_claims_align() - 1) /
                                                  approov_claims_align() * approov_claims_align());
    approov_claims* placed = approov_claims_init(memory);
    const char* const ok[][2] = {{"approov-token", token_large}, {NULL, NULL}};
    CHECK(placed != NULL);
    CHECK(approov_claims_init((char*)memory + 1) == NULL || approov_claims_align() == 1);
    if (placed != NULL) {
      CHECK_REASON(check_request(check, ok, token_route, placed), APPROOV_OK);
      CHECK(string_claim_is(placed, "ip", "203.0.113.42"));
      approov_claims_destroy(placed);
    }
    free(memory);
  }
  approov_claims_free(c);
  approov_route_free(token_route);
  approov_route_free(bound_route);
  approov_check_free(check);
  approov_check_free(NULL);
  approov_route_free(NULL);
}

int main(int argc, char** argv) {
  load_test_data(argc > 1 ? argv[1] : APPROOV_TEST_DATA "/approov-test-tokens.env");
  test_create_from_base64_and_base64url();
  test_bad_secrets();
  test_create_from_environment();
  test_verify();
  test_claims();
  test_escaped_strings();
  test_binding();
  test_threads();
  test_reason_strings();
  test_null_safety();
  test_config_keyset_beside_secret();
  test_config_pem_audience_issuer_leeway();
  test_config_errors();
  test_config_key_file();
  test_request_check();
  if (failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("C API: all checks passed\n");
  return 0;
}
