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
  r.top_half.push_back({"tasklet", Records::kRead, {sizeof(irqbridge_cost), 0, 10, 5000, 900}});
  r.top_half.push_back({"tasklet", Records::kOff, {sizeof(irqbridge_cost), 0, 10, 3000, 700}});
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

// A top-half cost run of ten top halves, with records or without.
TopHalfCost cost_run(bool records, std::uint64_t total_ns) {
  return {"tasklet",
          records ? Records::kRead : Records::kOff,
          {sizeof(irqbridge_cost), 0, 10, total_ns, 0}};
}

TEST(Bench, RecordsOverheadIsTheRatioOfTheMedians) {
  // Means 500, 520, 900 ns with records (median 520), 400, 480, 460 without
  // (median 460): +13 %, above the 10 % bound.
  std::vector<TopHalfCost> runs = {cost_run(true, 5000), cost_run(false, 4000),
                                   cost_run(true, 5200), cost_run(false, 4800),
                                   cost_run(true, 9000), cost_run(false, 4600)};
  RecordsOverhead o = records_overhead(runs);
  ASSERT_TRUE(o.measured);
  EXPECT_EQ(o.runs_with, 3u);
  EXPECT_EQ(o.runs_without, 3u);
  EXPECT_DOUBLE_EQ(o.with_ns, 520.0);
  EXPECT_DOUBLE_EQ(o.without_ns, 460.0);
  EXPECT_NEAR(o.ratio(), 60.0 / 460.0, 1e-12);
  EXPECT_FALSE(o.within());
  runs[2] = cost_run(true, 4900);  // median with records 500: +8.7 %
  EXPECT_TRUE(records_overhead(runs).within());

  BenchReport r;
  r.top_half = runs;
  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["records_overhead"]["within_limit"], true);
  EXPECT_DOUBLE_EQ(j["records_overhead"]["limit"].get<double>(), 0.10);
  EXPECT_NEAR(j["records_overhead"]["ratio"].get<double>(), 40.0 / 460.0, 1e-12);
  EXPECT_NE(format_table(r).find("records overhead: +8.7 %"), std::string::npos) << format_table(r);
}

BenchReport report_of(std::vector<TopHalfCost> runs) {
  BenchReport r;
  r.top_half = std::move(runs);
  return r;
}

TEST(Bench, RecordsOverheadPairsEachRunWithTheNext) {
  // Three pairs whose host got slower and slower: the ratio of the medians
  // (520 vs 460: +13 %) mixes them; each pair alone says +4, +5, +6 %.
  std::vector<TopHalfCost> runs = {cost_run(true, 4160), cost_run(false, 4000),
                                   cost_run(true, 5040), cost_run(false, 4800),
                                   cost_run(true, 4876), cost_run(false, 4600)};
  RecordsOverhead o = records_overhead(runs);
  ASSERT_EQ(o.pair_ratios.size(), 3u);
  EXPECT_NEAR(o.pair_ratios[0], 0.04, 1e-12);
  EXPECT_NEAR(o.pair_ratios[1], 0.05, 1e-12);
  EXPECT_NEAR(o.pair_ratios[2], 0.06, 1e-12);
  EXPECT_NEAR(o.pairs.median, 0.05, 1e-12);
  EXPECT_FALSE(o.pairs.has_ci) << "three pairs give no 95 % interval";
  EXPECT_EQ(o.pairs_verdict(), "undecided");
  nlohmann::json j = to_json(report_of(runs));
  EXPECT_EQ(j["records_overhead"]["pairs"], 3);
  EXPECT_FALSE(j["records_overhead"].contains("pair_ratio_ci95"));

  // A group is one run of each kind, in either order; a run without top
  // halves ends its group, and a group with one kind pairs nothing.
  const TopHalfCost none{"tasklet", Records::kOff, {sizeof(irqbridge_cost), 0, 0, 0, 0}};
  std::vector<TopHalfCost> broken = {
      cost_run(false, 4000), cost_run(true, 4400), none,
      cost_run(false, 4000), cost_run(true, 4400), cost_run(false, 4000)};
  EXPECT_EQ(records_overhead(broken).pair_ratios.size(), 2u);

  // Fifteen pairs: the interval is the 4th and the 12th ratio in order.
  auto pairs = [&](std::uint64_t first_with_ns) {
    std::vector<TopHalfCost> v;
    for (std::uint64_t i = 0; i < 15; i++) {
      v.push_back(cost_run(true, first_with_ns + 10 * i));  // +x % over 1000 ns per event
      v.push_back(cost_run(false, 10000));
    }
    return v;
  };
  o = records_overhead(pairs(10300));  // +3 % ... +4.4 %
  ASSERT_TRUE(o.pairs.has_ci);
  EXPECT_NEAR(o.pairs.lo, 0.033, 1e-12);
  EXPECT_NEAR(o.pairs.hi, 0.041, 1e-12);
  EXPECT_EQ(o.pairs_verdict(), "within");
  j = to_json(report_of(pairs(10300)));
  EXPECT_EQ(j["records_overhead"]["pairs_verdict"], "within");
  EXPECT_NEAR(j["records_overhead"]["pair_ratio_ci95"][1].get<double>(), 0.041, 1e-12);
  EXPECT_NE(format_table(report_of(pairs(10300))).find("median +3.7 % over 15 pairs"),
            std::string::npos);
  EXPECT_EQ(records_overhead(pairs(10950)).pairs_verdict(), "undecided");  // +9.5 ... +10.9 %
  EXPECT_EQ(records_overhead(pairs(11100)).pairs_verdict(), "above");      // +11 ... +12.4 %
}

TEST(Bench, RecordsWrittenButUnreadAreTheirOwnComparison) {
  // Groups of three in rotating order, as irqbridge bench runs them: with
  // records (W), written but unread (U), without (N). Per group the top half
  // costs W 1150, U 1020, N 1000 ns, then the host gets slower by 10 %.
  // Ten top halves per run, the host (10 + slower) / 10 times as slow.
  auto run = [](char kind, std::uint64_t slower) {
    const std::uint64_t per = kind == 'W' ? 1150 : kind == 'U' ? 1020 : 1000;
    return TopHalfCost{"tasklet",
                       kind == 'W'   ? Records::kRead
                       : kind == 'U' ? Records::kUnread
                                     : Records::kOff,
                       {sizeof(irqbridge_cost), 0, 10, per * (10 + slower), 0}};
  };
  std::vector<TopHalfCost> runs;
  const std::string order = "WUNUNWNWUWUNUNWNWU";  // six groups
  for (std::size_t i = 0; i < order.size(); i++) runs.push_back(run(order[i], i / 3));
  RecordsOverhead both = records_overhead(runs);
  RecordsOverhead write = records_write_overhead(runs);
  ASSERT_EQ(both.pair_ratios.size(), 6u);
  ASSERT_EQ(write.pair_ratios.size(), 6u);
  EXPECT_EQ(both.runs_with, 6u);
  EXPECT_EQ(write.runs_with, 6u) << "the unread runs, not the ones with records";
  for (double r : both.pair_ratios) EXPECT_NEAR(r, 0.15, 1e-9);
  for (double r : write.pair_ratios) EXPECT_NEAR(r, 0.02, 1e-9);
  ASSERT_TRUE(write.pairs.has_ci);
  EXPECT_EQ(write.pairs_verdict(), "within");
  EXPECT_EQ(both.pairs_verdict(), "above");

  nlohmann::json j = to_json(report_of(runs));
  EXPECT_EQ(j["records_write_overhead"]["pairs_verdict"], "within");
  EXPECT_NEAR(j["records_write_overhead"]["pair_median_ratio"].get<double>(), 0.02, 1e-9);
  EXPECT_EQ(j["top_half_cost"][1]["records_unread"], true);
  EXPECT_EQ(j["top_half_cost"][1]["records"], true);
  const std::string text = format_table(report_of(runs));
  EXPECT_NE(text.find("records written, never read: +2.0 %"), std::string::npos) << text;
  EXPECT_NE(text.find("unread"), std::string::npos);

  // Without unread runs (an older bench) there is no such figure.
  std::vector<TopHalfCost> two = {run('W', 0), run('N', 0)};
  EXPECT_FALSE(records_write_overhead(two).measured);
  EXPECT_EQ(format_table(report_of(two)).find("never read"), std::string::npos);
}

TEST(Bench, RecordsOverheadNeedsRunsBothWays) {
  std::vector<TopHalfCost> only_on = {
      {"tasklet", Records::kRead, {sizeof(irqbridge_cost), 0, 10, 5000, 0}},
      {"tasklet", Records::kOff, {sizeof(irqbridge_cost), 0, 0, 0, 0}}};  // no top half ran
  RecordsOverhead o = records_overhead(only_on);
  EXPECT_FALSE(o.measured);
  EXPECT_FALSE(o.within());
  EXPECT_EQ(o.ratio(), 0.0);
  BenchReport r;
  r.top_half = only_on;
  EXPECT_EQ(format_table(r).find("records overhead"), std::string::npos);
  EXPECT_EQ(to_json(r)["records_overhead"]["measured"], false);
}

irqbridge_record storm_record(std::uint64_t seq, std::uint64_t top_ns, std::uint32_t batch,
                              std::uint32_t bottom_flags, std::uint32_t bottom_cpu = 0) {
  irqbridge_record r{};
  r.seq = seq;
  r.top_ns = top_ns;
  r.batch = batch;
  r.bottom.flags = bottom_flags;
  r.bottom.cpu = bottom_cpu;
  return r;
}

// The storm's figures from its records: the rate between the lowest and
// the highest seq (records lost in between do not change it), batches by
// power of two, ksoftirqd's share of the softirq runs, the CPU moves.
TEST(Bench, StormPointFromItsRecords) {
  StormPoint p;
  p.mode = "tasklet";
  p.source = "timer";
  p.period_ns = 100000;
  p.burst = 10;
  p.events = 4;
  // Out of order, seq 2 lost: 3 top halves over 30 us from seq 0 to seq 3.
  p.add(storm_record(3, 1030000, 1, IRQBRIDGE_CTX_SOFTIRQ));
  p.add(storm_record(0, 1000000, 10, IRQBRIDGE_CTX_SOFTIRQ | IRQBRIDGE_CTX_KSOFTIRQD));
  p.add(storm_record(1, 1010000, 200, IRQBRIDGE_CTX_TASK, 1));
  EXPECT_EQ(p.records, 3u);
  EXPECT_EQ(p.first_seq, 0u);
  EXPECT_EQ(p.last_seq, 3u);
  EXPECT_DOUBLE_EQ(p.absorbed_per_s(), 100000.0);
  EXPECT_DOUBLE_EQ(p.offered_per_s(), 100000.0);
  EXPECT_EQ(p.batch_events[0], 1u);  // 1
  EXPECT_EQ(p.batch_events[3], 1u);  // 8-15
  EXPECT_EQ(p.batch_events[7], 1u);  // 128 and more
  EXPECT_EQ(p.bottom_softirq, 2u);
  EXPECT_EQ(p.bottom_ksoftirqd, 1u);
  EXPECT_DOUBLE_EQ(p.ksoftirqd_share(), 0.5);
  EXPECT_EQ(p.bottom_task, 1u);
  EXPECT_EQ(p.bottom_cross_cpu, 1u);

  // Exact: raised == fired == counted == configured, all read.
  p.kernel.raised = p.kernel.fired = p.kernel.counted = 4;
  p.kernel.bottom_runs = 2;
  p.reader_total = 4;
  EXPECT_TRUE(p.exact());
  EXPECT_DOUBLE_EQ(p.mean_batch(), 2.0);
  p.kernel.raised = 5;  // a raise never handled
  EXPECT_FALSE(p.exact());
  p.kernel.raised = 4;
  p.events = 5;  // the run ended early
  EXPECT_FALSE(p.exact());
  p.events = 4;
  p.error = "failed";
  EXPECT_FALSE(p.exact());
  p.error.clear();

  BenchReport r;
  r.storm.push_back(p);
  nlohmann::json j = to_json(r)["storm"][0];
  EXPECT_EQ(j["mode"], "tasklet");
  EXPECT_EQ(j["burst"], 10);
  EXPECT_EQ(j["exact"], true);
  EXPECT_DOUBLE_EQ(j["absorbed_per_s"].get<double>(), 100000.0);
  EXPECT_DOUBLE_EQ(j["ksoftirqd_share"].get<double>(), 0.5);
  EXPECT_EQ(j["batch_events_log2"].size(), kStormBatchBins);
  EXPECT_EQ(j["fired"], 4);
  EXPECT_NE(format_table(r).find("storm"), std::string::npos);
}

// Fewer than two records, or no time between them: no rate, not a
// division by zero.
TEST(Bench, StormPointWithoutASpanHasNoRate) {
  StormPoint p;
  EXPECT_EQ(p.absorbed_per_s(), 0.0);
  EXPECT_EQ(p.mean_batch(), 0.0);
  EXPECT_EQ(p.ksoftirqd_share(), 0.0);
  p.add(storm_record(5, 1000, 1, 0));
  EXPECT_EQ(p.absorbed_per_s(), 0.0);
  p.add(storm_record(6, 1000, 1, 0));
  EXPECT_EQ(p.absorbed_per_s(), 0.0);
}

// The storm on every CPU: each record goes to the CPU its top half ran on
// (its own seq), the rate is every CPU's top halves over the wall time from
// the earliest first to the latest last top half, and one CPU's inexact
// count makes the whole inexact.
TEST(Bench, StormAllCpusSumsItsCpus) {
  StormAllCpus a;
  a.mode = "workqueue";
  a.source = "timer";
  a.period_ns = 500000;
  a.burst = 50;
  a.events_per_cpu = 3;
  for (int cpu : {0, 1}) {
    StormPoint p;
    p.cpu = cpu;
    p.period_ns = 500000;
    p.burst = 50;
    p.events = 3;
    a.per_cpu.push_back(p);
  }
  auto on = [](std::uint32_t cpu, std::uint64_t seq, std::uint64_t top_ns, std::uint32_t batch) {
    irqbridge_record r = storm_record(seq, top_ns, batch, IRQBRIDGE_CTX_SOFTIRQ);
    r.top.cpu = cpu;
    r.bottom.cpu = cpu;
    return r;
  };
  // CPU 0: seq 0..2 over 10..30 us; CPU 1: seq 0..2 over 20..50 us.
  a.add(on(0, 0, 10000, 1));
  a.add(on(0, 2, 30000, 2));
  a.add(on(1, 0, 20000, 1));
  a.add(on(1, 1, 35000, 2));
  a.add(on(1, 2, 50000, 2));
  a.add(on(7, 9, 90000, 1));  // a CPU not in the run: not counted
  EXPECT_EQ(a.per_cpu[0].records, 2u);
  EXPECT_EQ(a.per_cpu[1].records, 3u);
  // 2 + 2 top halves over 40 us.
  EXPECT_DOUBLE_EQ(a.absorbed_per_s(), 100000.0);
  EXPECT_DOUBLE_EQ(a.per_cpu[0].absorbed_per_s(), 100000.0);
  EXPECT_DOUBLE_EQ(a.offered_per_s(), 200000.0);
  EXPECT_FALSE(a.exact()) << "no counts yet";
  for (StormPoint& p : a.per_cpu) {
    p.kernel.raised = p.kernel.fired = p.kernel.counted = 3;
    p.kernel.bottom_runs = 2;
    p.reader_total = 3;
  }
  a.per_cpu[1].kernel.max_batch = 2;
  a.per_cpu[0].cost = {sizeof(irqbridge_cost), 0, 3, 3000, 1500};
  a.per_cpu[1].cost = {sizeof(irqbridge_cost), 0, 3, 6000, 4000};
  EXPECT_TRUE(a.exact());
  EXPECT_DOUBLE_EQ(a.mean_batch(), 1.5);
  EXPECT_EQ(a.total().kernel.fired, 6u);
  EXPECT_DOUBLE_EQ(a.ksoftirqd_share(), 0.0);

  BenchReport r;
  r.storm_all_cpus.push_back(a);
  nlohmann::json j = to_json(r)["storm_all_cpus"][0];
  EXPECT_EQ(j["mode"], "workqueue");
  EXPECT_EQ(j["cpus"], 2);
  EXPECT_EQ(j["fired"], 6);
  EXPECT_EQ(j["exact"], true);
  EXPECT_EQ(j["max_batch"], 2);
  EXPECT_DOUBLE_EQ(j["absorbed_per_s"].get<double>(), 100000.0);
  ASSERT_EQ(j["per_cpu"].size(), 2u);
  EXPECT_EQ(j["per_cpu"][1]["cpu"], 1);
  EXPECT_EQ(j["per_cpu"][1]["records_seen"], 3);
  EXPECT_DOUBLE_EQ(j["top_half_mean_ns"].get<double>(), 1500.0);  // 9000 ns over 6
  EXPECT_EQ(j["top_half_max_ns"], 4000);
  EXPECT_DOUBLE_EQ(j["per_cpu"][0]["top_half_mean_ns"].get<double>(), 1000.0);
  EXPECT_EQ(j["per_cpu"][1]["top_half_max_ns"], 4000);
  EXPECT_NE(format_table(r).find("storm, all"), std::string::npos);

  a.per_cpu[1].reader_total = 2;  // one CPU's reader missed one
  EXPECT_FALSE(a.exact());
  a.per_cpu[1].reader_total = 3;
  a.error = "failed";
  EXPECT_FALSE(a.exact());
  EXPECT_FALSE(StormAllCpus{}.exact()) << "no CPU";
  EXPECT_EQ(StormAllCpus{}.absorbed_per_s(), 0.0);
}

}  // namespace
}  // namespace irqbridge
