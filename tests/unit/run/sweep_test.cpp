#include "irqbridge/run/sweep.hpp"

#include <gtest/gtest.h>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {
namespace {

SweepPoint Point(const std::string& mode, std::uint64_t period_ns, std::uint64_t fired,
                 std::uint64_t counted, std::uint64_t wakeups) {
  SweepPoint p;
  p.mode = mode;
  p.source = "timer";
  p.period_ns = period_ns;
  p.kernel.fired = fired;
  p.kernel.counted = counted;
  p.reader_total = counted;
  p.wakeups = wakeups;
  return p;
}

TEST(Sweep, ParsesPeriodsInMicroseconds) {
  EXPECT_EQ(parse_periods_us("1000,20.5,10"), (std::vector<std::uint64_t>{1000000, 20500, 10000}));
  EXPECT_THROW(parse_periods_us(""), Error);
  EXPECT_THROW(parse_periods_us("100,"), Error);
  EXPECT_THROW(parse_periods_us(",100"), Error);
  EXPECT_THROW(parse_periods_us("100,,20"), Error);
  EXPECT_THROW(parse_periods_us("100,abc"), Error);
  EXPECT_THROW(parse_periods_us("5"), Error) << "below the module's floor";
  EXPECT_THROW(parse_periods_us("2000000"), Error);
  EXPECT_THROW(parse_periods_us("10us"), Error);
}

TEST(Sweep, CoalescingAndMismatchAreVisible) {
  SweepReport r;
  r.events = 100;
  r.points.push_back(Point("tasklet", 1000000, 100, 100, 100));
  r.points.push_back(Point("tasklet", 20000, 100, 100, 25));
  r.points.push_back(Point("workqueue", 20000, 100, 99, 30));
  SweepPoint failed = Point("workqueue", 10000, 40, 40, 10);
  failed.error = "no event for 2000 ms";
  r.points.push_back(failed);

  EXPECT_DOUBLE_EQ(r.points[1].wakeups_per_event(), 0.25);
  EXPECT_TRUE(r.points[1].exact());
  EXPECT_FALSE(r.points[2].exact());
  EXPECT_FALSE(r.points[3].exact()) << "a failed point is never exact";

  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["schema"], "irqbridge.sweep/1");
  ASSERT_EQ(j["points"].size(), 4u);
  EXPECT_EQ(j["points"][1]["wakeups_per_event"], 0.25);
  EXPECT_EQ(j["points"][1]["rate_hz"], 50000.0);
  EXPECT_EQ(j["points"][2]["exact"], false);
  EXPECT_EQ(j["points"][3]["error"], "no event for 2000 ms");
  EXPECT_FALSE(j["points"][0].contains("error"));
  for (const char* stage : {"top_to_user", "timer_to_user"})
    EXPECT_TRUE(j["points"][0]["latency_ns"].contains(stage));

  const std::string t = format_table(r);
  EXPECT_NE(t.find("COUNT MISMATCH"), std::string::npos) << t;
  EXPECT_NE(t.find("FAILED: no event for 2000 ms"), std::string::npos) << t;
  EXPECT_NE(t.find("0.250"), std::string::npos) << t;
}

}  // namespace
}  // namespace irqbridge
