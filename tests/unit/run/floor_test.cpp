#include "irqbridge/run/floor.hpp"

#include <gtest/gtest.h>

#include "irqbridge/report/report.hpp"
#include "irqbridge/sys/error.hpp"

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
  EXPECT_EQ(s.min, 7999) << "bin 7 is [7, 8) us: its upper edge";
  EXPECT_EQ(s.max, 140999) << "overflows are recorded at cyclictest's max (upper edge)";
  EXPECT_NEAR(static_cast<double>(s.p50), 10999, 100);
}

TEST(Floor, PoolsThreads) {
  auto doc = nlohmann::json::parse(R"({"thread": {
      "0": {"histogram": {"20": 10}, "cycles": 10, "max": 20},
      "1": {"histogram": {"30": 10}, "cycles": 10, "max": 30}}})");
  Floor f = parse_cyclictest_json(doc);
  EXPECT_EQ(f.histogram.count(), 20u);
  EXPECT_EQ(f.histogram.summary().max, 30999);
}

// Each malformed field must be the project's Error (one line from the CLI),
// never a library exception or undefined behaviour.
Floor parse_text(const char* text) { return parse_cyclictest_json(nlohmann::json::parse(text)); }

TEST(Floor, NonNumericMaxIsAProjectError) {
  EXPECT_THROW(parse_text(R"({"thread": {"0": {"histogram": {}, "cycles": 3, "max": "x"}}})"),
               Error);
  EXPECT_THROW(parse_text(R"({"thread": {"0": {"histogram": {}, "cycles": 3, "max": -5}}})"),
               Error);
  EXPECT_THROW(parse_text(R"({"thread": {"0": {"histogram": {}, "cycles": 3, "max": 1.5}}})"),
               Error);
}

TEST(Floor, HugeMaxIsRefusedNotOverflowed) {
  // 1e300 is a float: converting it to int64 and scaling was undefined.
  EXPECT_THROW(parse_text(R"({"thread": {"0": {"histogram": {}, "cycles": 3, "max": 1e300}}})"),
               Error);
  // An integer that fits int64 but not once scaled to nanoseconds.
  EXPECT_THROW(
      parse_text(R"({"thread": {"0": {"histogram": {}, "cycles": 3, "max": 9223372036854775}}})"),
      Error);
  EXPECT_THROW(
      parse_text(
          R"({"thread": {"0": {"histogram": {"9223372036854775": 1}, "cycles": 1, "max": 1}}})"),
      Error);
}

TEST(Floor, KeyMustBeWhollyANumber) {
  EXPECT_THROW(
      parse_text(R"({"thread": {"0": {"histogram": {"12abc": 1}, "cycles": 1, "max": 12}}})"),
      Error);
  EXPECT_THROW(
      parse_text(R"({"thread": {"0": {"histogram": {" 12": 1}, "cycles": 1, "max": 12}}})"), Error);
  EXPECT_THROW(parse_text(R"({"thread": {"0": {"histogram": {"-3": 1}, "cycles": 1, "max": 12}}})"),
               Error);
  EXPECT_THROW(parse_text(R"({"thread": {"0": {"histogram": {"": 1}, "cycles": 1, "max": 12}}})"),
               Error);
}

TEST(Floor, ArrayHistogramIsRefused) {
  EXPECT_THROW(parse_text(R"({"thread": {"0": {"histogram": [5, 6], "cycles": 2, "max": 1}}})"),
               Error);
  EXPECT_THROW(parse_text(R"({"thread": {"0": {"histogram": {"5": "x"}, "cycles": 1, "max": 5}}})"),
               Error);
  EXPECT_THROW(parse_text(R"({"thread": {"0": {"histogram": {}, "cycles": "3", "max": 5}}})"),
               Error);
}

// A mode whose samples all sit inside cyclictest's bin [5, 6) us is not
// slower than the floor: with both histograms reporting upper edges the
// ratio is <= 1 (the lower-edge floor made it 1.1 to 1.2).
TEST(Floor, RatioUsesOneEdgeConvention) {
  Floor f =
      parse_text(R"({"thread": {"0": {"histogram": {"5": 1000}, "cycles": 1000, "max": 5}}})");
  Histogram mode;
  for (int i = 0; i < 1000; i++) mode.record(5000 + i);
  const Summary fs = f.histogram.summary();
  const Summary ms = mode.summary();
  for (auto stat : {&Summary::p50, &Summary::p90, &Summary::p99, &Summary::max}) {
    ASSERT_TRUE(floor_ratio(ms.*stat, fs.*stat).has_value());
    EXPECT_LE(*floor_ratio(ms.*stat, fs.*stat), 1.0);
    EXPECT_GT(*floor_ratio(ms.*stat, fs.*stat), 0.8);
  }
}

TEST(Floor, ZeroFloorHasNoRatio) {
  EXPECT_FALSE(floor_ratio(5000, 0).has_value());
  EXPECT_FALSE(floor_ratio(0, 0).has_value());
  EXPECT_DOUBLE_EQ(*floor_ratio(3000, 1000), 3.0);
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
