// The Redis replay store behind make_redis_replay_store (private to the library).
#pragma once

#include <memory>
#include <string>

#include "approov/redis_replay_store.hpp"

namespace approov::detail {

/// Empty when the options are usable, else what is wrong (never the password).
[[nodiscard]] std::string check_redis_options(const RedisReplayOptions& options);

#ifdef APPROOV_HAVE_HIREDIS
/// The store over hiredis (redis_replay_store.cpp); `options` already checked.
[[nodiscard]] Configured<std::shared_ptr<ReplayStore>> open_redis_replay_store(
    RedisReplayOptions options);
#endif

}  // namespace approov::detail
