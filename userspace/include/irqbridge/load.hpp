// Background load inside the machine under test, for as long as the
// object lives: bottom halves behave differently when softirqs are pushed
// to ksoftirqd and work items compete with busy tasks.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>
#include <vector>

namespace irqbridge {

enum class LoadKind {
  none,
  cpu,      // one busy-looping process per online CPU
  syscall,  // one process per CPU doing pipe I/O, open/close, getppid in a loop
};

std::optional<LoadKind> parse_load(std::string_view name);
std::string_view load_name(LoadKind kind);

class Load {
 public:
  // Starts the load (SCHED_OTHER child processes). Throws Error if fork
  // fails.
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
};

}  // namespace irqbridge
