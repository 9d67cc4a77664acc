// Public test data shared by the benchmark and the instruction-count loop: the public Approov
// test secret (published in the Approov quickstarts) and tokens signed with it. None of this is
// a real credential.
#pragma once

#include <cstdint>
#include <string_view>

namespace approov::bench {

inline constexpr std::string_view kTestSecretBase64 =
    "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==";

/// The quickstarts' example token: `{"exp":4708683205.891912}`.
inline constexpr std::string_view kTokenSmall =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjQ3MDg2ODMyMDUuODkxOTEyfQ."
    "c8I4KNndbThAQ7zlgX4_QDtcxCrD9cff1elaCJe9p9U";

/// A realistic Approov token: `exp`, `ip`, `did`, `arc`, `ipk` (124 base64 chars) and `pay`.
inline constexpr std::string_view kTokenLarge =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."
    "eyJleHAiOjQ3MjMzNTI0MDUuMTIzNDU2LCJpcCI6IjIwMy4wLjExMy40MiIsImRpZCI6ImhCalc0b3RLWElLcVZ5YTB"
    "vdXRFRlE9PSIsImFyYyI6IlJWUlQ4TDZSVkciLCJpcGsiOiJNRmt3RXdZSEtvWkl6ajBDQVFZSUtvWkl6ajBEQVFjRF"
    "FnQUVJeExaWWg2RW1qUG5mNlhXOHBtTFNnYlE1dExmZlh3bDBkSXdwZG1JZXRTZS9Id1h4b3BDTXVsYWxObytPTFZk"
    "UXAzNCtIUHR3ckV2Vmhtc1d4Ym9DQT09IiwicGF5IjoiVlFGRlBKWjY4MmFPdHhSTWp6MGt0Q0hteVdlRUVlU012WG"
    "gxdUQ4SjN2az0ifQ.zYLoezOT8vXDxh4bZ6c1vrHkf4Bldpd4FWLOdwDinps";

/// A token whose `pay` binds it to kAuthorization.
inline constexpr std::string_view kTokenBind =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."
    "eyJleHAiOjQ3MTgwMTgyMjQuNzgwMzY4LCJwYXkiOiJWUUZGUEpaNjgyYU90eFJNanowa3RDSG15V2VFRWVTTXZYaDF1"
    "RDhKM3ZrPSJ9.N-KwuLeUt9s6TDibhX32AIkhobCYVh5-brVESqUxdBk";

/// The `Authorization` header value kTokenBind is bound to.
inline constexpr std::string_view kAuthorization =
    "Bearer "
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

/// kTokenSmall's header and payload with a signature made with another secret.
inline constexpr std::string_view kTokenBadSignature =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjQ3MDg2ODMyMDUuODkxOTEyfQ."
    "_ZdLOZmK4KXSIpVlhOpHBgboSHHTWer-X6oLqFIDQWI";

/// A fixed clock for reproducible runs (2023-11-14), well before every `exp` above.
inline constexpr std::int64_t kNow = 1700000000;

}  // namespace approov::bench
