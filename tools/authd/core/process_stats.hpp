// The process's own resource use, for the Prometheus `process_*` series (the names and units
// of the Prometheus client libraries): CPU time, memory, file descriptors, start time. Read at
// scrape time from getrusage, getrlimit and /proc/self (which a sandbox that hides the rest of
// /proc, such as systemd's ProcSubset=pid, still shows).
#pragma once

namespace approov::authd {

struct ProcessStats {
  double cpu_seconds = 0;         // user + system
  double resident_bytes = 0;      // RSS
  double virtual_bytes = 0;       // address space
  double open_fds = 0;            // entries of /proc/self/fd
  double max_fds = 0;             // RLIMIT_NOFILE (soft)
  double start_time_seconds = 0;  // since the Unix epoch
};

/// The values now. A value that cannot be read stays 0. Any thread; allocates (admin only).
[[nodiscard]] ProcessStats read_process_stats();

}  // namespace approov::authd
