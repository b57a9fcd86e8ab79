#include "irqbridge/analysis/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace irqbridge {

// Values below kSubBuckets go to range 0 one per bucket (exact). A value
// with its highest bit at position b >= kSubBits goes to range
// b - kSubBits + 1, whose buckets are 2^(b - kSubBits) wide: the width is at
// most value / kSubBuckets.
std::size_t Histogram::index_of(std::uint64_t value) {
  if (value < kSubBuckets) return static_cast<std::size_t>(value);
  const unsigned top = 63U - static_cast<unsigned>(std::countl_zero(value));
  const unsigned range = top - kSubBits + 1;
  const unsigned shift = range - 1;
  const std::uint64_t sub = (value >> shift) - kSubBuckets;  // 0 .. kSubBuckets-1
  return static_cast<std::size_t>(range * kSubBuckets + sub);
}

std::uint64_t Histogram::upper_edge(std::size_t index) {
  const std::uint64_t range = index / kSubBuckets;
  const std::uint64_t sub = index % kSubBuckets;
  if (range == 0) return sub;
  const std::uint64_t shift = range - 1;
  const std::uint64_t low = (kSubBuckets + sub) << shift;
  return low + ((1ULL << shift) - 1);
}

// Whole ranges at a time, allocated to size: one allocation per power of
// two reached, never more than the ranges up to kMaxValue.
void Histogram::grow(std::size_t index) {
  const std::size_t size = (index / kSubBuckets + 1) * kSubBuckets;
  buckets_.reserve(size);
  buckets_.resize(size);
}

void Histogram::record(std::int64_t value, std::uint64_t count) {
  if (count == 0) return;
  if (value < 0) {
    negatives_ += count;
    value = 0;
  }
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += count;
  sum_ += static_cast<long double>(value) * static_cast<long double>(count);
  const std::size_t i = index_of(std::min(static_cast<std::uint64_t>(value), kMaxValue));
  if (i >= buckets_.size()) grow(i);
  buckets_[i] += count;
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  negatives_ += other.negatives_;
  sum_ += other.sum_;
  if (other.buckets_.size() > buckets_.size()) grow(other.buckets_.size() - 1);
  for (std::size_t i = 0; i < other.buckets_.size(); i++) buckets_[i] += other.buckets_[i];
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> Histogram::buckets() const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  for (std::size_t i = 0; i < buckets_.size(); i++)
    if (buckets_[i] != 0)
      out.emplace_back(i == index_of(kMaxValue)
                           ? static_cast<std::uint64_t>(max_)
                           : std::min(upper_edge(i), static_cast<std::uint64_t>(max_)),
                       buckets_[i]);
  return out;
}

std::int64_t Histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); i++) {
    seen += buckets_[i];
    // The last bucket also holds everything above kMaxValue: its edge is max.
    if (seen >= rank)
      return i == index_of(kMaxValue)
                 ? max_
                 : std::min<std::int64_t>(static_cast<std::int64_t>(upper_edge(i)), max_);
  }
  return max_;
}

Summary Histogram::summary() const {
  Summary s;
  if (count_ == 0) return s;
  s.n = count_;
  s.min = min_;
  s.max = max_;
  s.mean = static_cast<double>(sum_ / static_cast<long double>(count_));
  s.p50 = quantile(0.50);
  s.p90 = quantile(0.90);
  s.p99 = quantile(0.99);
  s.p999 = quantile(0.999);
  s.p9999 = quantile(0.9999);
  return s;
}

}  // namespace irqbridge
