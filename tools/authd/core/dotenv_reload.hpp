// approov-authd's .env handling: the .env file is read at start-up and again on every reload
// (so that a secret rotated there takes effect), each time as if for the first time.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "approov/approov.hpp"

namespace approov::authd {

/// The process environment as name -> value (a copy: start-up and reload only).
[[nodiscard]] std::map<std::string, std::string> environment_snapshot();

/// Reloads a .env file into the process environment so that each load acts as if it were
/// the first: a variable removed from the file (or renamed, say APPROOV_BASE64_SECRET to
/// APPROOV_BASE64URL_SECRET) stops being in force instead of lingering from the previous load.
/// It remembers every variable a load has changed, with the value it had before the first load
/// touched it, and puts those back before each load. Not thread-safe: one instance per
/// process, used by start-up and reload, which run on one thread one at a time (it changes the
/// process environment).
class DotenvReload {
 public:
  /// Restores what earlier loads changed, then loads `env_file` (empty: the first .env found
  /// from the working directory up, if any) the way approov::load_dotenv does.
  [[nodiscard]] Configured<int> reload(const std::string& env_file);

  /// The process environment as it would be without the .env file: what earlier loads changed
  /// put back. The sidecar's own APPROOV_AUTHD_* settings are read from it, so that they come
  /// from the process environment alone, at start-up and on every reload alike.
  [[nodiscard]] std::map<std::string, std::string> original_environment() const;

 private:
  std::map<std::string, std::optional<std::string>> originals_;  // nullopt: was unset
};

}  // namespace approov::authd
