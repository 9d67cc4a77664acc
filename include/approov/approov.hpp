// Umbrella header for the approov-cpp core library (C++17).
//
//   #include <approov/approov.hpp>
//   auto verifier = approov::TokenVerifier::create({{approov::secret_from_environment().value()}});
//   auto result = verifier.value().verify(token, approov::unix_now());
//   if (!result) log(approov::to_string(result.reason()));
#pragma once

#include "approov/base64.hpp"
#include "approov/claims.hpp"
#include "approov/config.hpp"
#include "approov/crypto.hpp"
#include "approov/dotenv.hpp"
#include "approov/jws.hpp"
#include "approov/keyset.hpp"
#include "approov/reason.hpp"
#include "approov/request.hpp"
#include "approov/request_check.hpp"
#include "approov/token_verifier.hpp"
#include "approov/version.hpp"
