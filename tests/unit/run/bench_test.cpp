#include "irqbridge/run/bench.hpp"

#include <gtest/gtest.h>

namespace irqbridge {
namespace {

SweepPoint Point(const std::string& mode, std::uint64_t period_ns, bool ok) {
  SweepPoint p;
  p.mode = mode;
  p.period_ns = period_ns;
  p.kernel.fired = p.kernel.counted = p.reader_total = 100;
  if (!ok) p.kernel.timer_overruns = 3;  // 3 % of the periods skipped
  return p;
}

TEST(Bench, SustainedMeansCountedNothingLostNothingSkipped) {
  EXPECT_TRUE(sustained(Point("tasklet", 1000, true)));
  EXPECT_FALSE(sustained(Point("tasklet", 1000, false))) << "timer overruns";
  SweepPoint noise = Point("tasklet", 1000, true);
  noise.kernel.timer_overruns = 1;
  EXPECT_TRUE(sustained(noise)) << "1 % skipped is host noise under TCG";
  SweepPoint lost = Point("tasklet", 1000, true);
  lost.kernel.records_lost = 1;
  EXPECT_FALSE(sustained(lost));
  SweepPoint failed = Point("tasklet", 1000, true);
  failed.error = "timeout";
  EXPECT_FALSE(sustained(failed));
}

TEST(Bench, HighestSustainedRatePerMode) {
  std::vector<SweepPoint> pts = {Point("tasklet", 1000000, true), Point("tasklet", 100000, true),
                                 Point("tasklet", 20000, false),
                                 Point("workqueue", 1000000, false)};
  auto rates = sustained_rates(pts);
  ASSERT_EQ(rates.size(), 2u);
  EXPECT_EQ(rates[0].mode, "tasklet");
  EXPECT_TRUE(rates[0].found);
  EXPECT_EQ(rates[0].period_ns, 100000u);
  EXPECT_FALSE(rates[1].found);

  BenchReport r;
  r.rate_search = pts;
  r.top_half.push_back({"tasklet", true, {sizeof(irqbridge_cost), 0, 10, 5000, 900}});
  r.top_half.push_back({"tasklet", false, {sizeof(irqbridge_cost), 0, 10, 3000, 700}});
  r.readers.push_back({"read", 100, 200000, true});
  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["schema"], "irqbridge.bench/1");
  EXPECT_EQ(j["max_sustained_rate"]["tasklet"]["rate_hz"], 10000.0);
  EXPECT_EQ(j["max_sustained_rate"]["workqueue"]["sustained"], false);
  EXPECT_EQ(j["top_half_cost"][0]["mean_ns"], 500.0);
  EXPECT_EQ(j["top_half_cost"][1]["records"], false);
  EXPECT_EQ(j["reader_cost"][0]["cpu_ns_per_wakeup"], 2000.0);
  const std::string t = format_table(r);
  EXPECT_NE(t.find("none of the periods"), std::string::npos) << t;
}

TEST(Bench, ScalingStepsAreOneTwoAndAll) {
  EXPECT_EQ(scaling_steps(1), (std::vector<unsigned>{1}));
  EXPECT_EQ(scaling_steps(2), (std::vector<unsigned>{1, 2}));
  EXPECT_EQ(scaling_steps(4), (std::vector<unsigned>{1, 2, 4}));
  EXPECT_TRUE(scaling_steps(0).empty());
}

TEST(Bench, CpuScalingInJsonAndTable) {
  BenchReport r;
  r.reader_period_ns = 1000000;
  CpuScaling one{"tasklet", 1, 100, 100, 5000000, 4096, 3000, true};
  CpuScaling four{"tasklet", 4, 400, 390, 20000000, 16384, 9000, false};
  r.cpu_scaling = {one, four};
  nlohmann::json j = to_json(r);
  ASSERT_EQ(j["cpu_scaling"].size(), 2u);
  EXPECT_EQ(j["cpu_scaling"][1]["cpus"], 4);
  EXPECT_EQ(j["cpu_scaling"][1]["reader_cpu_ns_per_event"], 50000.0);
  EXPECT_EQ(j["cpu_scaling"][1]["ring_bytes"], 16384);
  EXPECT_EQ(j["cpu_scaling"][0]["exact"], true);
  const std::string t = format_table(r);
  EXPECT_NE(t.find("per-CPU cost"), std::string::npos) << t;
  EXPECT_NE(t.find("COUNT MISMATCH"), std::string::npos) << t;
}

TEST(Bench, RecordsOverheadIsTheRatioOfTheMedians) {
  auto run = [](bool records, std::uint64_t total_ns) {
    return TopHalfCost{"tasklet", records, {sizeof(irqbridge_cost), 0, 10, total_ns, 0}};
  };
  // Means 500, 520, 900 ns with records (median 520), 400, 480, 460 without
  // (median 460): +13 %, above the 10 % bound.
  std::vector<TopHalfCost> runs = {run(true, 5000),  run(false, 4000), run(true, 5200),
                                   run(false, 4800), run(true, 9000),  run(false, 4600)};
  RecordsOverhead o = records_overhead(runs);
  ASSERT_TRUE(o.measured);
  EXPECT_EQ(o.runs_with, 3u);
  EXPECT_EQ(o.runs_without, 3u);
  EXPECT_DOUBLE_EQ(o.with_ns, 520.0);
  EXPECT_DOUBLE_EQ(o.without_ns, 460.0);
  EXPECT_NEAR(o.ratio(), 60.0 / 460.0, 1e-12);
  EXPECT_FALSE(o.within());
  runs[2] = run(true, 4900);  // median with records 500: +8.7 %
  EXPECT_TRUE(records_overhead(runs).within());

  BenchReport r;
  r.top_half = runs;
  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["records_overhead"]["within_limit"], true);
  EXPECT_DOUBLE_EQ(j["records_overhead"]["limit"].get<double>(), 0.10);
  EXPECT_NEAR(j["records_overhead"]["ratio"].get<double>(), 40.0 / 460.0, 1e-12);
  EXPECT_NE(format_table(r).find("records overhead: +8.7 %"), std::string::npos) << format_table(r);
}

TEST(Bench, RecordsOverheadNeedsRunsBothWays) {
  std::vector<TopHalfCost> only_on = {
      {"tasklet", true, {sizeof(irqbridge_cost), 0, 10, 5000, 0}},
      {"tasklet", false, {sizeof(irqbridge_cost), 0, 0, 0, 0}}};  // no top half ran
  RecordsOverhead o = records_overhead(only_on);
  EXPECT_FALSE(o.measured);
  EXPECT_FALSE(o.within());
  EXPECT_EQ(o.ratio(), 0.0);
  BenchReport r;
  r.top_half = only_on;
  EXPECT_EQ(format_table(r).find("records overhead"), std::string::npos);
  EXPECT_EQ(to_json(r)["records_overhead"]["measured"], false);
}

}  // namespace
}  // namespace irqbridge
