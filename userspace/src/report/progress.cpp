#include "irqbridge/report/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <utility>

namespace irqbridge {

Progress::Progress(bool enabled) : active_(enabled && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { end(); }

void Progress::begin(std::string label, std::uint64_t total) {
  label_ = std::move(label);
  total_ = total;
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::update(std::uint64_t done) {
  if (!active_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200) && done < total_) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
  std::fprintf(stderr, "\r%-13s %10llu / %llu events  %9.0f/s  ETA %5.1f s ", label_.c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), rate,
               eta);
  shown_ = true;
}

void Progress::end() {
  if (shown_) std::fprintf(stderr, "\r\033[K");
  shown_ = false;
}

}  // namespace irqbridge
