#include "core/clock.hpp"

#include <sys/timex.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace approov::authd {

ClockReport read_clock_state() {
  ClockReport r;
  struct timex tx {};
  tx.modes = 0;  // read only: no privilege needed, nothing changed
  const int state = ::ntp_adjtime(&tx);
  if (state == -1) {
    r.known = false;
    r.error = std::string("adjtimex: ") + std::strerror(errno);
    return r;
  }
  r.synchronized = state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
  // Both in microseconds; the kernel grows them while no NTP daemon updates them.
  r.estimated_error_seconds = static_cast<double>(tx.esterror) * 1e-6;
  r.maximum_error_seconds = static_cast<double>(tx.maxerror) * 1e-6;
  return r;
}

std::string describe_clock(const ClockReport& s) {
  if (!s.known) return "clock synchronized: unknown (" + s.error + ")";
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "clock synchronized: %s (estimated error %.6f s, maximum error %.6f s)",
                s.synchronized ? "yes" : "no", s.estimated_error_seconds, s.maximum_error_seconds);
  return buf;
}

ClockReport ClockWatch::check(const EventLog& log) {
  ClockReport now = reader_();
  const bool synchronized = now.known && now.synchronized;
  const bool changed = last_synchronized_ ? *last_synchronized_ != synchronized : !synchronized;
  last_synchronized_ = synchronized;
  if (changed) log.clock(now);
  return now;
}

}  // namespace approov::authd
