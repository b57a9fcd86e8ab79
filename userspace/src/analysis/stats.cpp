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

double median(std::vector<double> samples) {
  if (samples.empty()) return 0.0;
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2.0;
}

MedianCi median_ci95(std::vector<double> samples) {
  MedianCi m;
  m.n = samples.size();
  if (samples.empty()) return m;
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  m.median = median(samples);
  // P(X <= j) for X ~ Binomial(n, 1/2), summed term by term in log space
  // (n stays small: pairs of runs).
  const double ln_half_n = static_cast<double>(n) * std::log(0.5);
  double below = 0.0;  // P(X < k)
  std::size_t k = 0;
  for (std::size_t j = 0; j < n; j++) {
    const double term = std::exp(std::lgamma(static_cast<double>(n) + 1.0) -
                                 std::lgamma(static_cast<double>(j) + 1.0) -
                                 std::lgamma(static_cast<double>(n - j) + 1.0) + ln_half_n);
    if (below + term > 0.025) break;
    below += term;
    k = j + 1;  // P(X < j + 1) = P(X <= j) <= 2.5 %
  }
  if (k == 0) return m;
  m.has_ci = true;
  m.lo = samples[k - 1];
  m.hi = samples[n - k];
  return m;
}

}  // namespace irqbridge
