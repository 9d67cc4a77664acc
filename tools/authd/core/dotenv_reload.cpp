#include "core/dotenv_reload.hpp"

#include <cstdlib>
#include <string_view>

#include <unistd.h>  // environ

namespace approov::authd {

std::map<std::string, std::string> environment_snapshot() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

std::map<std::string, std::string> DotenvReload::original_environment() const {
  auto env = environment_snapshot();
  for (const auto& [key, value] : originals_) {
    if (value) {
      env[key] = *value;
    } else {
      env.erase(key);
    }
  }
  return env;
}

Configured<int> DotenvReload::reload(const std::string& env_file) {
  for (const auto& [key, value] : originals_) {
    if (value) {
      ::setenv(key.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(key.c_str());
    }
  }
  const auto before = environment_snapshot();
  auto loaded = env_file.empty() ? load_dotenv_if_present() : load_dotenv(env_file);
  for (const auto& [key, value] : environment_snapshot()) {
    const auto old = before.find(key);
    if (old != before.end() && old->second == value) continue;
    if (originals_.count(key) == 0) {
      originals_.emplace(
          key, old == before.end() ? std::nullopt : std::optional<std::string>(old->second));
    }
  }
  return loaded;
}

}  // namespace approov::authd
