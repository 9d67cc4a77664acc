// Reader of the structured-field case files in tests/sf/data/ (format described at the top of
// rfc9651_examples.txt).
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace approov::test::sf_cases {

struct Case {
  std::string file;
  int line = 0;
  std::string name;
  std::string type;
  std::vector<std::string> inputs;  // field lines
  bool has_canonical = false;
  std::string canonical;
  std::string error;
  std::string duplicates;
  std::string reject_duplicates;
  std::string npm;

  // The field lines joined with ", ", as a recipient combines them (RFC 9651 §4.2).
  std::string input() const {
    std::string joined;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (i > 0) joined += ", ";
      joined += inputs[i];
    }
    return joined;
  }
};

// \t \n \r \s \\ \xHH
inline std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char e = s[++i];
    switch (e) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 's':
        out += ' ';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x':
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
        break;
      default:
        throw std::runtime_error("bad escape in case file: " + s);
    }
  }
  return out;
}

inline std::vector<Case> load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Case> cases;
  std::string line;
  int number = 0;
  auto value_of = [](const std::string& l, std::size_t colon) {
    std::string v = l.substr(colon + 1);
    if (!v.empty() && v[0] == ' ') v.erase(0, 1);
    return v;
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("== ", 0) == 0) {
      cases.emplace_back();
      cases.back().file = path;
      cases.back().line = number;
      cases.back().name = line.substr(3);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (cases.empty() || colon == std::string::npos) {
      throw std::runtime_error(path + ":" + std::to_string(number) + ": unexpected line");
    }
    Case& c = cases.back();
    const std::string key = line.substr(0, colon);
    const std::string value = value_of(line, colon);
    if (key == "type") {
      c.type = value;
    } else if (key == "input") {
      c.inputs.push_back(value);
    } else if (key == "input-x") {
      c.inputs.push_back(unescape(value));
    } else if (key == "canonical") {
      c.has_canonical = true;
      c.canonical = value;
    } else if (key == "error") {
      c.error = value;
    } else if (key == "duplicates") {
      c.duplicates = value;
    } else if (key == "reject-duplicates") {
      c.reject_duplicates = value;
    } else if (key == "npm") {
      c.npm = value;
    } else {
      throw std::runtime_error(path + ":" + std::to_string(number) + ": unknown key " + key);
    }
  }
  for (const Case& c : cases) {
    if (c.type.empty() || c.has_canonical == !c.error.empty()) {
      throw std::runtime_error(c.file + ":" + std::to_string(c.line) +
                               ": a case needs a type and one of canonical/error");
    }
  }
  return cases;
}

}  // namespace approov::test::sf_cases
