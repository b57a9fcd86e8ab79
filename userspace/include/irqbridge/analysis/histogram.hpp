// A log-linear latency histogram (HdrHistogram-style): bounded memory, no
// sort of the samples, every recorded value kept within 1/kSubBuckets
// (< 1 %) relative error; min, max and mean are exact. Buckets exist only up
// to the largest value recorded (1 KiB per power of two: ~14 KiB for
// values up to 1 ms), and values from kMaxValue up share the last bucket
// (their max stays exact): at most ~34 KiB, not the 59 KiB of all 64 bits.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "irqbridge/analysis/stats.hpp"

namespace irqbridge {

class Histogram {
 public:
  static constexpr unsigned kSubBits = 7;  // 128 sub-buckets per power of two
  static constexpr std::uint64_t kSubBuckets = 1ULL << kSubBits;
  static constexpr unsigned kRanges = 64 - kSubBits + 1;
  // 2^40 ns is 18 minutes: a latency past it is a wedged machine.
  static constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << 40) - 1;

  // Negative values (a clock that went backwards) are counted and recorded
  // as 0.
  void record(std::int64_t value) { record(value, 1); }
  // count samples of the same value (another tool's histogram bucket).
  void record(std::int64_t value, std::uint64_t count);
  // Adds every sample of other (repetitions of one run pooled).
  void merge(const Histogram& other);

  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] std::uint64_t negatives() const { return negatives_; }
  // The value at quantile q in (0, 1]: the upper edge of the bucket holding
  // the nearest-rank sample, clamped to the exact maximum.
  [[nodiscard]] std::int64_t quantile(double q) const;
  [[nodiscard]] Summary summary() const;
  // The non-empty buckets in ascending order: (upper edge, count), the
  // data behind a CDF.
  [[nodiscard]] std::vector<std::pair<std::uint64_t, std::uint64_t>> buckets() const;

  // Bucket index of a value, and the largest value of a bucket (exposed for
  // the error-bound test).
  static std::size_t index_of(std::uint64_t value);
  static std::uint64_t upper_edge(std::size_t index);
  // Bytes the buckets take now.
  [[nodiscard]] std::size_t bucket_bytes() const {
    return buckets_.capacity() * sizeof(std::uint64_t);
  }

 private:
  void grow(std::size_t index);

  std::vector<std::uint64_t> buckets_;  // grown to the largest index recorded
  std::uint64_t count_ = 0;
  std::uint64_t negatives_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace irqbridge
