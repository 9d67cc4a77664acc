#include "approov/dotenv.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string_view>
#include <vector>

namespace approov {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool valid_key(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool is_regular_file(const std::string& path) {
  std::ifstream f(path);
  return f.good() && access(path.c_str(), R_OK) == 0;
}

}  // namespace

std::optional<std::string> find_dotenv(const std::string& start_dir) {
  std::string dir = start_dir;
  if (dir.empty() || dir[0] != '/') {
    // Relative: walk up from the working directory, not from "/" once the text runs out.
    std::vector<char> buf(4096);
    if (getcwd(buf.data(), buf.size()) == nullptr) return std::nullopt;
    dir = dir.empty() ? std::string(buf.data()) : std::string(buf.data()) + "/" + dir;
  }
  for (;;) {
    const std::string candidate = (dir == "/" ? std::string() : dir) + "/.env";
    if (is_regular_file(candidate)) return candidate;
    if (dir == "/" || dir.empty()) return std::nullopt;
    const std::size_t slash = dir.find_last_of('/');
    dir = slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
  }
}

Configured<int> load_dotenv(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Configured<int>::failure("cannot read " + path);
  std::string line;
  int line_number = 0;
  int set = 0;
  while (std::getline(in, line)) {
    ++line_number;
    std::string_view s = trim(line);
    if (s.empty() || s[0] == '#') continue;
    if (s.substr(0, 7) == "export ") s = trim(s.substr(7));
    const std::size_t eq = s.find('=');
    const std::string where = path + " line " + std::to_string(line_number);
    if (eq == std::string_view::npos) {
      return Configured<int>::failure(where + ": expected KEY=VALUE");
    }
    const std::string_view key = trim(s.substr(0, eq));
    if (!valid_key(key)) return Configured<int>::failure(where + ": invalid variable name");
    std::string_view value = trim(s.substr(eq + 1));
    std::string unquoted;
    if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
      const char quote = value[0];
      const std::size_t close = value.find(quote, 1);
      if (close == std::string_view::npos) {
        return Configured<int>::failure(where + ": unterminated quoted value");
      }
      const std::string_view rest = trim(value.substr(close + 1));
      if (!rest.empty() && rest[0] != '#') {
        return Configured<int>::failure(where + ": unexpected text after the quoted value");
      }
      unquoted = std::string(value.substr(1, close - 1));
    } else {
      const std::size_t comment = value.find(" #");
      if (comment != std::string_view::npos) value = trim(value.substr(0, comment));
      unquoted = std::string(value);
    }
    if (setenv(std::string(key).c_str(), unquoted.c_str(), 1) != 0) {
      return Configured<int>::failure(where + ": cannot set the variable");
    }
    ++set;
  }
  return set;
}

Configured<int> load_dotenv_if_present(const std::string& start_dir) {
  const auto path = find_dotenv(start_dir);
  if (!path) return 0;
  return load_dotenv(*path);
}

}  // namespace approov
