#include "core/process_stats.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace approov::authd {

namespace {

double timespec_seconds(clockid_t clock) {
  struct timespec ts {};
  if (::clock_gettime(clock, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Field 22 of /proc/self/stat: the start time in clock ticks after boot. The command name
// (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
double start_ticks_after_boot() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && (fields >> field); ++i) {
    if (i == 22) return std::stod(field);
  }
  return 0;
}

}  // namespace

ProcessStats read_process_stats() {
  ProcessStats p;
  struct rusage ru {};
  if (::getrusage(RUSAGE_SELF, &ru) == 0) {
    p.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
  }
  {
    std::ifstream statm("/proc/self/statm");
    double pages_virtual = 0;
    double pages_resident = 0;
    if (statm >> pages_virtual >> pages_resident) {
      const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
      p.virtual_bytes = pages_virtual * page;
      p.resident_bytes = pages_resident * page;
    }
  }
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    double n = 0;
    while (const struct dirent* e = ::readdir(dir)) {
      if (e->d_name[0] != '.') n += 1;
    }
    ::closedir(dir);
    p.open_fds = n - 1;  // the directory's own descriptor
  }
  struct rlimit rl {};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    p.max_fds = static_cast<double>(rl.rlim_cur);
  }
  // Boot time without /proc/stat (hidden by ProcSubset=pid): now minus the time since boot
  // (CLOCK_BOOTTIME, the clock of /proc/self/stat's start time).
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double boot = timespec_seconds(CLOCK_REALTIME) - timespec_seconds(CLOCK_BOOTTIME);
  if (ticks > 0) p.start_time_seconds = boot + start_ticks_after_boot() / ticks;
  return p;
}

}  // namespace approov::authd
