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

}  // namespace
}  // namespace irqbridge
