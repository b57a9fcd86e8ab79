// What a SIGINT, SIGTERM or SIGHUP must undo before the process dies: the
// module's timers (STOP on every device running a session), the load's
// child processes (SIGKILL) and temporary files (unlink). Registrations are
// RAII guards over fixed slots, so the handler only touches lock-free
// atomics and calls async-signal-safe functions (ioctl, kill, unlink); it
// then re-raises the signal with its default action, so the exit status
// still says which signal ended the run. SIGKILL cannot be caught: there the
// kernel's release of the device and the children's PR_SET_PDEATHSIG do it.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace irqbridge {

// Installs the handlers (once; later calls do nothing). Throws Error if
// sigaction fails.
void install_signal_cleanup();

// While it lives, a signal STOPs the session on fd.
class StopOnSignal {
 public:
  explicit StopOnSignal(int fd);
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;
  StopOnSignal(StopOnSignal&&) = delete;
  StopOnSignal& operator=(StopOnSignal&&) = delete;
  ~StopOnSignal();

 private:
  std::size_t slot_;
};

// While it lives, a signal SIGKILLs pid.
class KillOnSignal {
 public:
  explicit KillOnSignal(pid_t pid);
  KillOnSignal(const KillOnSignal&) = delete;
  KillOnSignal& operator=(const KillOnSignal&) = delete;
  KillOnSignal(KillOnSignal&&) = delete;
  KillOnSignal& operator=(KillOnSignal&&) = delete;
  ~KillOnSignal();

 private:
  std::size_t slot_;
};

// While it lives, a signal unlinks path (at most kPathMax - 1 bytes).
class UnlinkOnSignal {
 public:
  static constexpr std::size_t kPathMax = 256;
  explicit UnlinkOnSignal(const std::string& path);
  UnlinkOnSignal(const UnlinkOnSignal&) = delete;
  UnlinkOnSignal& operator=(const UnlinkOnSignal&) = delete;
  UnlinkOnSignal(UnlinkOnSignal&&) = delete;
  UnlinkOnSignal& operator=(UnlinkOnSignal&&) = delete;
  ~UnlinkOnSignal();

 private:
  std::size_t slot_;
};

}  // namespace irqbridge
