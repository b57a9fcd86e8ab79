#include "irqbridge/analysis/stats.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace irqbridge {
namespace {

TEST(Percentile, NearestRankOnKnownData) {
  std::vector<std::int64_t> v(100);
  std::iota(v.begin(), v.end(), 1);  // 1..100
  EXPECT_EQ(percentile(v, 0.50), 50);
  EXPECT_EQ(percentile(v, 0.90), 90);
  EXPECT_EQ(percentile(v, 0.99), 99);
  EXPECT_EQ(percentile(v, 0.999), 100);
  EXPECT_EQ(percentile(v, 1.0), 100);
  EXPECT_EQ(percentile(v, 0.001), 1);
}

TEST(Percentile, SmallAndEmpty) {
  EXPECT_EQ(percentile({}, 0.5), 0);
  std::vector<std::int64_t> one{7};
  EXPECT_EQ(percentile(one, 0.5), 7);
  EXPECT_EQ(percentile(one, 0.999), 7);
  std::vector<std::int64_t> three{1, 2, 3};
  EXPECT_EQ(percentile(three, 0.5), 2);
  EXPECT_EQ(percentile(three, 0.9), 3);
}

TEST(Summarize, SortsAndComputesEverything) {
  Summary s = summarize({50, -3, 10, 1000, 20});
  EXPECT_EQ(s.n, 5u);
  EXPECT_EQ(s.min, -3);
  EXPECT_EQ(s.max, 1000);
  EXPECT_DOUBLE_EQ(s.mean, 1077.0 / 5);
  EXPECT_EQ(s.p50, 20);
  EXPECT_EQ(s.p90, 1000);
  EXPECT_LE(s.p50, s.p90);
  EXPECT_LE(s.p99, s.p999);
}

TEST(Summarize, EmptyIsAllZero) {
  Summary s = summarize({});
  EXPECT_EQ(s.n, 0u);
  EXPECT_EQ(s.max, 0);
  EXPECT_EQ(s.p50, 0);
}

TEST(MedianCi, OrderStatisticsOfTheBinomial) {
  // n = 15: P(X <= 3) = 1.76 % <= 2.5 % < P(X <= 4) = 5.9 %, so x(4) and
  // x(12) (coverage 96.5 %).
  std::vector<double> v;
  for (int i = 15; i >= 1; i--) v.push_back(i);  // unsorted on purpose
  MedianCi m = median_ci95(v);
  EXPECT_EQ(m.n, 15u);
  EXPECT_DOUBLE_EQ(m.median, 8.0);
  ASSERT_TRUE(m.has_ci);
  EXPECT_DOUBLE_EQ(m.lo, 4.0);
  EXPECT_DOUBLE_EQ(m.hi, 12.0);
  // n = 6: P(X = 0) = 1.6 %, P(X <= 1) = 10.9 %: x(1) and x(6).
  m = median_ci95({1, 2, 3, 4, 5, 6});
  EXPECT_DOUBLE_EQ(m.median, 3.5);
  ASSERT_TRUE(m.has_ci);
  EXPECT_DOUBLE_EQ(m.lo, 1.0);
  EXPECT_DOUBLE_EQ(m.hi, 6.0);
  // n = 90: k = 36 (P(X <= 35) = 2.3 %, P(X <= 36) = 3.6 %).
  v.clear();
  for (int i = 1; i <= 90; i++) v.push_back(i);
  m = median_ci95(v);
  EXPECT_DOUBLE_EQ(m.lo, 36.0);
  EXPECT_DOUBLE_EQ(m.hi, 55.0);
}

TEST(MedianCi, NoIntervalBelowSixSamples) {
  MedianCi m = median_ci95({3, 1, 2, 5, 4});
  EXPECT_DOUBLE_EQ(m.median, 3.0);
  EXPECT_FALSE(m.has_ci);
  EXPECT_FALSE(median_ci95({}).has_ci);
  EXPECT_EQ(median_ci95({}).n, 0u);
}

}  // namespace
}  // namespace irqbridge
