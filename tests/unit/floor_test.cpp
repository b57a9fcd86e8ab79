#include "irqbridge/floor.hpp"

#include <gtest/gtest.h>

#include "irqbridge/error.hpp"

namespace irqbridge {
namespace {

// What rt-tests 2.4's cyclictest --json writes (trimmed).
constexpr const char* kCyclictest = R"({
  "file_version": 1, "rt_test_version:": "2.40", "num_threads": 1,
  "thread": { "0": { "histogram": { "7": 7, "8": 30, "9": 58, "10": 200, "108": 5 },
                     "cycles": 302, "min": 7, "max": 140, "avg": 11.65, "cpu": 0, "node": 0 } } })";

TEST(Floor, ParsesCyclictestHistogramInNanoseconds) {
  Floor f = parse_cyclictest_json(nlohmann::json::parse(kCyclictest));
  EXPECT_TRUE(f.available);
  EXPECT_TRUE(f.reason.empty());
  EXPECT_EQ(f.cycles, 302u);
  EXPECT_EQ(f.overflows, 2u) << "cycles beyond the histogram's 300";
  const Summary s = f.histogram.summary();
  EXPECT_EQ(s.n, 302u);
  EXPECT_EQ(s.min, 7000);
  EXPECT_EQ(s.max, 140000) << "overflows are recorded at cyclictest's max";
  EXPECT_NEAR(static_cast<double>(s.p50), 10000, 100);
}

TEST(Floor, PoolsThreads) {
  auto doc = nlohmann::json::parse(R"({"thread": {
      "0": {"histogram": {"20": 10}, "cycles": 10, "max": 20},
      "1": {"histogram": {"30": 10}, "cycles": 10, "max": 30}}})");
  Floor f = parse_cyclictest_json(doc);
  EXPECT_EQ(f.histogram.count(), 20u);
  EXPECT_EQ(f.histogram.summary().max, 30000);
}

TEST(Floor, MalformedOutputIsAnError) {
  EXPECT_THROW(parse_cyclictest_json(nlohmann::json::parse("{}")), Error);
  EXPECT_THROW(parse_cyclictest_json(nlohmann::json::parse(R"({"thread": {"0": {}}})")), Error);
  EXPECT_THROW(parse_cyclictest_json(nlohmann::json::parse(
                   R"({"thread": {"0": {"histogram": {"x": 1}, "cycles": 1, "max": 1}}})")),
               Error);
  EXPECT_THROW(parse_cyclictest_json(nlohmann::json::parse(
                   R"({"thread": {"0": {"histogram": {}, "cycles": 0, "max": 0}}})")),
               Error)
      << "no cycles, no floor";
}

}  // namespace
}  // namespace irqbridge
