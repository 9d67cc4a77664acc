// `.env` loading for servers and tools, as the official quickstarts do with
// python-dotenv's `load_dotenv(find_dotenv(), override=True)`. Start-up only; not thread-safe
// (it calls setenv).
#pragma once

#include <optional>
#include <string>

#include "approov/config.hpp"

namespace approov {

/// Path of the first `.env` found in `start_dir` (default: the working directory) or any
/// parent directory, or nothing.
[[nodiscard]] std::optional<std::string> find_dotenv(const std::string& start_dir = {});

/// Reads `KEY=VALUE` lines from `path` into the environment, overriding variables already
/// set (quickstart behaviour). Accepts `export KEY=...`, blank lines, `#` comments, values in
/// single or double quotes, and ` #` comments after unquoted values. A line it cannot read
/// is an error naming the file and line number, never the value. Returns how many variables
/// were set.
[[nodiscard]] Configured<int> load_dotenv(const std::string& path);

/// `find_dotenv` then `load_dotenv`; no file is not an error (0 variables set).
[[nodiscard]] Configured<int> load_dotenv_if_present(const std::string& start_dir = {});

}  // namespace approov
