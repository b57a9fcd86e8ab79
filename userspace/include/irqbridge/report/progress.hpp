// One updating line on a terminal for long runs; silent elsewhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace irqbridge {

class Progress {
 public:
  // Shows progress only if enabled and stderr is a terminal.
  explicit Progress(bool enabled);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  Progress(Progress&&) = delete;
  Progress& operator=(Progress&&) = delete;
  ~Progress();

  void begin(std::string label, std::uint64_t total);
  void update(std::uint64_t done);
  void end();

 private:
  bool active_;
  bool shown_ = false;
  std::string label_;
  std::uint64_t total_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace irqbridge
