// Replays fuzz inputs without libFuzzer, so that each target's corpus runs as an ordinary
// test under any compiler (and under the ASan+UBSan build):
//   fuzz_<target>_replay FILE_OR_DIRECTORY...
// Runs LLVMFuzzerTestOneInput on every file (directories are walked recursively, in sorted
// order) and fails if there are none. A broken invariant aborts, as it does under libFuzzer;
// whatever ends the run (abort, crash, sanitizer report) is followed by the name of the input
// that caused it, so a failing corpus file can be found without bisecting.
#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

// The sanitizers' hook, called before a report ends the process (absent without sanitizers).
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace {

// The input being replayed, for the handlers below (written before each run, so they only
// read it).
char g_current[4096] = "";

volatile std::sig_atomic_t g_said = 0;

void say_which() {
  // Only async-signal-safe calls: this runs inside signal handlers. Once: a sanitizer report
  // can be followed by the abort it raises.
  if (g_said != 0) return;
  g_said = 1;
  static const char prefix[] = "\nreplay: failed on input ";
  ssize_t ignored = write(STDERR_FILENO, prefix, sizeof prefix - 1);
  ignored = write(STDERR_FILENO, g_current, std::strlen(g_current));
  ignored = write(STDERR_FILENO, "\n", 1);
  (void)ignored;
}

extern "C" void on_fatal_signal(int sig) {
  say_which();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

extern "C" void on_sanitizer_death() {
  say_which();
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    if (fs::is_directory(arg)) {
      for (const auto& entry : fs::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else {
      files.push_back(arg);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIRECTORY... (no input found)\n", argv[0]);
    return 2;
  }
  for (const int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL})
    std::signal(sig, on_fatal_signal);
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(on_sanitizer_death);
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", file.c_str());
      return 2;
    }
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    // A copy of exactly the input's size, so that an overread is caught by ASan.
    std::vector<std::uint8_t> exact(bytes.begin(), bytes.end());
    const std::string name = file.string();
    const std::size_t n = std::min(name.size(), sizeof g_current - 1);
    std::memcpy(g_current, name.data(), n);
    g_current[n] = '\0';
    LLVMFuzzerTestOneInput(exact.data(), exact.size());
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}
