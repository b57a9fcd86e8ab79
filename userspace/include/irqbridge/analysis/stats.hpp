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

// The median of a sample (the mean of the middle two for an even count); 0
// when empty.
double median(std::vector<double> samples);

// The median of a sample and a distribution-free confidence interval of at
// least 95 % for it: the order statistics x(k) and x(n+1-k), with k the
// largest rank for which P(Binomial(n, 1/2) < k) <= 2.5 %. No interval below
// 6 samples (even x(1)..x(n) covers less than 95 % there).
struct MedianCi {
  std::size_t n = 0;
  double median = 0.0;
  bool has_ci = false;
  double lo = 0.0;  // x(k)
  double hi = 0.0;  // x(n+1-k)
};
MedianCi median_ci95(std::vector<double> samples);

}  // namespace irqbridge
