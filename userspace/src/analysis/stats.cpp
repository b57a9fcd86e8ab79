#include "irqbridge/analysis/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace irqbridge {

std::int64_t percentile(std::span<const std::int64_t> sorted, double q) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest value with at least q of the samples <= it.
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Summary summarize(std::vector<std::int64_t> samples) {
  Summary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.n = samples.size();
  s.min = samples.front();
  s.max = samples.back();
  long double sum = std::accumulate(samples.begin(), samples.end(), 0.0L);
  s.mean = static_cast<double>(sum / static_cast<long double>(samples.size()));
  s.p50 = percentile(samples, 0.50);
  s.p90 = percentile(samples, 0.90);
  s.p99 = percentile(samples, 0.99);
  s.p999 = percentile(samples, 0.999);
  s.p9999 = percentile(samples, 0.9999);
  return s;
}

}  // namespace irqbridge
