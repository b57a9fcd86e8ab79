// Background load inside the machine under test, for as long as the
// object lives: bottom halves behave differently when softirqs are pushed
// to ksoftirqd and work items compete with busy tasks.
#pragma once

#include <sys/types.h>

#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "irqbridge/sys/signal_cleanup.hpp"

namespace irqbridge {

enum class LoadKind {
  none,
  cpu,      // one busy-looping process per online CPU
  syscall,  // one process per CPU doing pipe I/O, open/close, getppid in a loop
};

// Every kind, in the order the help lists them (--load's names: load_name).
inline constexpr std::array<LoadKind, 3> kAllLoads = {LoadKind::none, LoadKind::cpu,
                                                      LoadKind::syscall};
std::string_view load_name(LoadKind kind);

class Load {
 public:
  // Starts the load (SCHED_OTHER child processes, one per CPU of the
  // process's affinity mask). Throws Error if fork fails. Each child dies
  // with this process (PR_SET_PDEATHSIG, even of SIGKILL) and closes every
  // inherited descriptor but stdio, so it never holds the device; create
  // the load before opening the device all the same. A caught SIGINT or
  // SIGTERM kills them (signal_cleanup.hpp).
  explicit Load(LoadKind kind);
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;
  Load(Load&&) = delete;
  Load& operator=(Load&&) = delete;
  // Kills and reaps every child.
  ~Load();

  [[nodiscard]] std::size_t processes() const { return children_.size(); }

 private:
  void stop();

  std::vector<pid_t> children_;
  std::vector<std::unique_ptr<KillOnSignal>> guards_;
};

}  // namespace irqbridge
