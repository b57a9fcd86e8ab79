// Latency statistics of one stage.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace irqbridge {

struct Summary {
  std::uint64_t n = 0;
  std::int64_t min = 0;
  double mean = 0;
  std::int64_t p50 = 0;
  std::int64_t p90 = 0;
  std::int64_t p99 = 0;
  std::int64_t p999 = 0;
  std::int64_t p9999 = 0;
  std::int64_t max = 0;
};

// Nearest-rank percentile (q in (0, 1]) of sorted samples; 0 when empty.
std::int64_t percentile(std::span<const std::int64_t> sorted, double q);

// Exact statistics; sorts its argument.
Summary summarize(std::vector<std::int64_t> samples);

}  // namespace irqbridge
