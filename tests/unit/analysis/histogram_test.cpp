#include "irqbridge/analysis/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "irqbridge/analysis/stats.hpp"

namespace irqbridge {
namespace {

TEST(Histogram, BucketsCoverEveryValueWithinOnePercent) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; i++) {
    const std::uint64_t v = rng() >> (rng() % 64);
    const std::size_t idx = Histogram::index_of(v);
    const std::uint64_t hi = Histogram::upper_edge(idx);
    ASSERT_GE(hi, v) << "value above its bucket";
    // The bucket's lower edge is the previous bucket's upper edge + 1.
    const std::uint64_t lo = idx == 0 ? 0 : Histogram::upper_edge(idx - 1) + 1;
    ASSERT_LE(lo, v) << "value below its bucket";
    ASSERT_LE(static_cast<double>(hi - lo), static_cast<double>(v) / 100.0 + 1.0)
        << "bucket of " << v << " too wide";
  }
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int v = 0; v < 100; v++) h.record(v);
  EXPECT_EQ(h.quantile(0.5), 49);
  EXPECT_EQ(h.quantile(0.9), 89);
  EXPECT_EQ(h.quantile(1.0), 99);
}

TEST(Histogram, PercentilesWithinOnePercentOfExact) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(std::log(80000.0), 0.8);  // ~80 us, long tail
  std::vector<std::int64_t> samples;
  Histogram h;
  for (int i = 0; i < 100000; i++) {
    auto v = static_cast<std::int64_t>(latency(rng));
    samples.push_back(v);
    h.record(v);
  }
  std::sort(samples.begin(), samples.end());
  Summary hs = h.summary();
  for (auto [q, got] : {std::pair{0.5, hs.p50}, {0.9, hs.p90}, {0.99, hs.p99}, {0.999, hs.p999}}) {
    const double exact = static_cast<double>(percentile(samples, q));
    EXPECT_NEAR(static_cast<double>(got), exact, exact * 0.01) << "q=" << q;
    EXPECT_GE(static_cast<double>(got), exact) << "upper edge, never below";
  }
  EXPECT_EQ(hs.max, samples.back());
  EXPECT_EQ(hs.min, samples.front());
  EXPECT_EQ(hs.n, samples.size());
}

TEST(Histogram, NegativesAreCountedAsZero) {
  Histogram h;
  h.record(-5);
  h.record(10);
  EXPECT_EQ(h.negatives(), 1u);
  EXPECT_EQ(h.summary().min, 0);
  EXPECT_EQ(h.count(), 2u);
}

TEST(Histogram, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.summary().n, 0u);
  EXPECT_EQ(h.quantile(0.5), 0);
}

TEST(Histogram, MergeEqualsRecordingEverything) {
  std::mt19937_64 rng(11);
  Histogram a, b, all;
  for (int i = 0; i < 5000; i++) {
    const auto v = static_cast<std::int64_t>(rng() % 1000000);
    (i % 3 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  const Summary m = a.summary(), e = all.summary();
  EXPECT_EQ(m.n, e.n);
  EXPECT_EQ(m.min, e.min);
  EXPECT_EQ(m.max, e.max);
  EXPECT_EQ(m.p50, e.p50);
  EXPECT_EQ(m.p9999, e.p9999);
  EXPECT_DOUBLE_EQ(m.mean, e.mean);
}

TEST(Histogram, CountedRecordAndBuckets) {
  Histogram h;
  h.record(5000, 3);
  h.record(100, 1);
  h.record(7, 0);  // nothing
  EXPECT_EQ(h.count(), 4u);
  const auto buckets = h.buckets();
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[0], (std::pair<std::uint64_t, std::uint64_t>{100, 1}));
  EXPECT_EQ(buckets[1].second, 3u);
  EXPECT_EQ(buckets[1].first, 5000u) << "last edge clamped to the exact max";
  EXPECT_DOUBLE_EQ(h.summary().mean, (3 * 5000 + 100) / 4.0);
}

}  // namespace
}  // namespace irqbridge
