/* The one table of approov-cpp's reason codes. C and C++ both read it: approov/reason.hpp
 * builds approov::Reason, its names and descriptions from it, approov.h the C constants.
 *
 *   APPROOV_REASON(name, NAME, value, "what it means, for people")
 *
 * Values are stable (logged, counted, returned through the C API): a row is never removed,
 * renumbered or reordered, and new rows are only ever appended with the next value. The names
 * are stable too. No row tells anything about the secret or the token beyond the rule that
 * failed; the HTTP answer is the same for every failure. No include guard: it is an X-macro
 * table, included with APPROOV_REASON defined.
 */
APPROOV_REASON(ok, OK, 0, "every check passed")
APPROOV_REASON(missing_token, MISSING_TOKEN, 1, "no token: the header is absent or empty")
APPROOV_REASON(duplicate_token, DUPLICATE_TOKEN, 2,
               "the token header is present more than once (or comma-joined)")
APPROOV_REASON(bad_prefix, BAD_PREFIX, 3, "the configured prefix (e.g. `Bearer `) is not there")
APPROOV_REASON(token_too_long, TOKEN_TOO_LONG, 4,
               "the token is longer than the limit (8192 bytes by default)")
APPROOV_REASON(malformed, MALFORMED, 5,
               "not three non-empty, canonical, unpadded base64url segments")
APPROOV_REASON(bad_signature, BAD_SIGNATURE, 6,
               "the signature is the wrong size, or does not verify under any configured key")
APPROOV_REASON(bad_header, BAD_HEADER, 7,
               "JOSE header refused: alg not the key's algorithm, crit/b64/enc/zip present, or "
               "kid not a string")
APPROOV_REASON(unknown_kid, UNKNOWN_KID, 8, "kid names no configured key")
APPROOV_REASON(bad_json, BAD_JSON, 9, "header or payload is not a strict I-JSON object")
APPROOV_REASON(missing_exp, MISSING_EXP, 10, "no exp claim")
APPROOV_REASON(bad_exp, BAD_EXP, 11, "exp is not a number, or is beyond 253402300799")
APPROOV_REASON(expired, EXPIRED, 12, "now >= exp + leeway")
APPROOV_REASON(not_yet_valid, NOT_YET_VALID, 13, "now + leeway < nbf")
APPROOV_REASON(bad_nbf, BAD_NBF, 14, "nbf is present but not a number")
APPROOV_REASON(iat_future, IAT_FUTURE, 15, "iat > now + leeway")
APPROOV_REASON(bad_iat, BAD_IAT, 16, "iat is present but not a number")
APPROOV_REASON(bad_audience, BAD_AUDIENCE, 17, "aud does not contain the configured audience")
APPROOV_REASON(bad_issuer, BAD_ISSUER, 18, "iss is not the configured issuer")
APPROOV_REASON(missing_binding_header, MISSING_BINDING_HEADER, 19,
               "a bound header (or the bound value) is absent or empty")
APPROOV_REASON(duplicate_binding_header, DUPLICATE_BINDING_HEADER, 20,
               "a bound header is present more than once")
APPROOV_REASON(missing_pay, MISSING_PAY, 21, "binding is required but the token has no pay claim")
APPROOV_REASON(bad_pay, BAD_PAY, 22, "pay is not a string holding a canonical base64 SHA-256")
APPROOV_REASON(binding_mismatch, BINDING_MISMATCH, 23,
               "pay is not the SHA-256 of the bound header values")
