// Runs cyclictest (Debian's rt-tests) as the floor of a comparison.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "irqbridge/run/floor.hpp"
#include "irqbridge/sys/signal_cleanup.hpp"
#include "irqbridge/sys/unique_fd.hpp"

namespace irqbridge {

struct FloorSettings {
  std::uint64_t period_us = 1000;  // cyclictest's -i is whole microseconds
  std::uint64_t loops = 1000;
  int priority = 0;  // 0: SCHED_OTHER, else SCHED_FIFO priority
  bool mlockall = false;
  int cpu = -1;           // -a CPU, -1: not pinned
  std::vector<int> cpus;  // if set: one thread per CPU (-t N -a LIST), all pooled
};

// $TMPDIR, or /tmp when it is unset or empty. Never throws.
std::string temp_directory();

// A temporary file in temp_directory(), opened O_CLOEXEC, removed with its
// owner and by a caught SIGINT/SIGTERM (signal_cleanup.hpp). Throws Error
// if it cannot be created.
class TempFile {
 public:
  explicit TempFile(const std::string& stem);
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  TempFile(TempFile&&) = delete;
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile();

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  std::string path_;
  std::unique_ptr<UnlinkOnSignal> on_signal_;
};

// How a program run by run_program ended: spawn_error is posix_spawnp's
// error (ENOENT: not installed), else status is its wait status.
struct ProgramExit {
  int spawn_error = 0;
  int status = 0;
};

// Runs args (args[0] looked up in PATH) with stdin from /dev/null, stdout
// into out_fd and stderr into err_fd, and waits for it; a caught SIGINT or
// SIGTERM kills it too (signal_cleanup.hpp). Throws Error if waitpid fails.
ProgramExit run_program(std::vector<std::string> args, int out_fd, int err_fd);

// The first line of a file that is neither empty nor a "#" comment ("" if
// none): a failed tool's own word on why.
std::string first_line(const std::string& path);

// Runs `cyclictest -q -t1 -l LOOPS -i PERIOD [-p PRIO] [-m] [-a CPU] -h MAX
// --json FILE` (or -tN -a LIST for several CPUs) and parses its result. Never throws: a
// cyclictest that is missing or fails, or a temporary file that cannot be created, gives a
// floor that says why it is not available.
Floor run_cyclictest(const FloorSettings& settings);

}  // namespace irqbridge
