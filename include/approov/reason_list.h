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
/* Keysets (asymmetric Approov tokens). */
APPROOV_REASON(bad_algorithm, BAD_ALGORITHM, 24,
               "the header's alg is not the algorithm of the key its kid selects")
/* Message signing (RFC 9421 HTTP message signatures). */
APPROOV_REASON(missing_signature, MISSING_SIGNATURE, 25,
               "the route requires a message signature and the request carries none")
APPROOV_REASON(bad_signature_header, BAD_SIGNATURE_HEADER, 26,
               "Signature or Signature-Input is absent, oversized, not a strict structured-field "
               "dictionary, has a duplicated label or identifier, or the two label sets differ")
APPROOV_REASON(bad_signature_params, BAD_SIGNATURE_PARAMS, 27,
               "a signature parameter is missing, unknown, of the wrong type, or alg is not the "
               "label's algorithm")
APPROOV_REASON(signature_expired, SIGNATURE_EXPIRED, 28,
               "the signature's expires is in the past (beyond the clock skew), before created, "
               "or too far after created")
APPROOV_REASON(signature_in_future, SIGNATURE_IN_FUTURE, 29,
               "the signature's created is in the future (beyond the clock skew)")
APPROOV_REASON(missing_component, MISSING_COMPONENT, 30,
               "a required component is not covered, or a covered header is absent")
APPROOV_REASON(bad_component, BAD_COMPONENT, 31,
               "a covered component identifier or its parameters are unknown or malformed")
APPROOV_REASON(bad_ipk, BAD_IPK, 32, "the ipk claim is not a base64 DER P-256 public key")
APPROOV_REASON(unknown_signing_key, UNKNOWN_SIGNING_KEY, 33,
               "the token's mskid is not the configured account signing key id")
APPROOV_REASON(bad_message_signature, BAD_MESSAGE_SIGNATURE, 34,
               "the message signature does not verify over the signature base")
APPROOV_REASON(bad_content_digest, BAD_CONTENT_DIGEST, 35,
               "Content-Digest is malformed, has no sha-256/sha-512, or does not match the body")
APPROOV_REASON(replayed_signature, REPLAYED_SIGNATURE, 36,
               "this message signature was already seen within its validity window")
APPROOV_REASON(replay_store_unavailable, REPLAY_STORE_UNAVAILABLE, 37,
               "the shared replay store could not be reached (fail-closed policy)")
