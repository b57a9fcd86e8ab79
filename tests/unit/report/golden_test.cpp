// The JSON reports are a contract (docs/report.md): keys are added, never
// renamed or dropped, and a refactoring must not change a byte. These
// tests build one compare, sweep and bench report that exercise every
// writer (repetitions, a chain mode, per-CPU parts, a count mismatch, a
// floor, outliers, a failed sweep point, every kernel counter with its own
// value) and compare the dump with the files in data/golden/.
//
// A deliberate change to a report: rerun with IRQBRIDGE_UPDATE_GOLDEN=1,
// which rewrites the files, and review their diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "irqbridge/report/report.hpp"
#include "irqbridge/run/bench.hpp"
#include "irqbridge/run/sweep.hpp"

namespace irqbridge {
namespace {

// Every counter of the module distinct and non-zero, so that a counter
// written under another's key shows.
irqbridge_stats Kernel(std::uint64_t events, std::uint64_t salt) {
  irqbridge_stats k{};
  k.size = sizeof(k);
  k.fired = k.counted = events;
  k.bottom_runs = events - 1;
  k.timer_overruns = 2 + salt;
  k.records = events;
  k.records_lost = 3 + salt;
  k.max_batch = 4 + salt;
  k.raised = events + 5;
  k.source_busy = 6 + salt;
  k.chain_runs = 7 + salt;
  k.empty_runs = 8 + salt;
  k.work_capped = 9 + salt;
  k.throttled = 10 + salt;
  return k;
}

// One run: events records with growing stages, every other bottom half on
// the other CPU, one late reader wake-up (an outlier).
RunResult Run(int cpu, bool chain, std::uint64_t events, std::uint64_t salt) {
  std::vector<irqbridge_record> recs;
  std::vector<Wakeup> wakes;
  for (std::uint64_t i = 0; i < events; i++) {
    irqbridge_record r{};
    r.seq = i;
    r.expected_ns = 100000 * i;
    r.raise_ns = r.expected_ns + 3;
    r.top_ns = r.expected_ns + 80 + 7 * i + salt;
    r.bottom_ns = r.top_ns + 20 + 3 * i;
    r.chain_ns = chain ? r.bottom_ns + 30 + i : 0;
    r.signal_ns = (chain ? r.chain_ns : r.bottom_ns) + 2;
    r.batch = 1 + static_cast<std::uint32_t>(i % 3);
    r.top.flags = IRQBRIDGE_CTX_HARDIRQ | IRQBRIDGE_CTX_IRQS_OFF;
    r.top.cpu = cpu < 0 ? 0 : static_cast<std::uint32_t>(cpu);
    r.top.preempt_count = 0x10000;
    r.bottom.flags =
        i % 4 == 3 ? IRQBRIDGE_CTX_SOFTIRQ | IRQBRIDGE_CTX_KSOFTIRQD : IRQBRIDGE_CTX_SOFTIRQ;
    r.bottom.cpu = static_cast<std::uint32_t>(i % 2);
    r.bottom.preempt_count = 0x100;
    r.chain.flags = chain ? IRQBRIDGE_CTX_TASK : 0;
    r.chain.cpu = 1;
    recs.push_back(r);
    const std::uint64_t late = i == events / 2 ? 5000 : 0;
    wakes.push_back({i + 1, r.signal_ns + 10 + late});
  }
  RunResult run;
  run.cpu = cpu;
  run.kernel = Kernel(events, salt);
  run.reader_total = events;
  run.wakeups = events - salt;
  run.ring_overruns = 1 + salt;
  run.reader_cpu_ns = 1000 * events + salt;
  run.cost = {sizeof(irqbridge_cost), 0, events, 1500 * events + salt, 900 + salt};
  Analyzer analyzer(chain, 2);
  OutlierTracker outliers(3, 4000, 2, chain);
  for (std::size_t i = 0; i < recs.size(); i++) outliers.add(0, recs[i], wakes[i].user_ns);
  run.outliers = std::move(outliers);
  for (const Wakeup& w : wakes) analyzer.add_wakeup(w);
  analyzer.add_records(recs);
  run.analysis = analyzer.finish();
  return run;
}

Report Compare() {
  Report r;
  r.kernel = "6.12.0-golden";
  r.version = "golden";
  r.module_version = "golden-module";
  r.period_ns = 100000;
  r.events = 12;
  r.warmup = 2;
  r.repetitions = 2;
  r.work_ns = 500;
  r.sleep_us = 0;
  r.cpus = 2;
  r.accel = "tcg";
  r.load = "cpu";
  r.timer_cpu = 1;
  r.reader = {SchedPolicy::fifo, 80, true, 1, "uring-read", "SINGLE_ISSUER", 4096, true, false};
  r.floor.available = true;
  r.floor.reason.clear();
  r.floor.command = "cyclictest -q";
  r.floor.cycles = 12;
  for (std::int64_t v : {90000, 95000, 120000, 180000}) r.floor.histogram.record(v);
  r.timerlat.reason = "no timerlat tracer";

  std::vector<RunResult> tasklet;
  tasklet.push_back(Run(-1, false, 12, 0));
  tasklet.push_back(Run(-1, false, 12, 1));
  r.modes.push_back(pool_runs("tasklet", "timer", false, std::move(tasklet)));

  std::vector<RunResult> chain;
  chain.push_back(Run(-1, true, 12, 2));
  RunResult mismatch = Run(-1, true, 12, 0);
  mismatch.reader_total = 11;  // one event never reached the reader
  chain.push_back(std::move(mismatch));
  r.modes.push_back(pool_runs("dpc_workitem", "irqchip", true, std::move(chain)));

  std::vector<RunResult> percpu;
  percpu.push_back(Run(1, false, 8, 3));
  percpu.push_back(Run(0, false, 6, 1));
  r.modes.push_back(pool_runs("workqueue", "timer", false, std::move(percpu)));
  r.cpu_list = {0, 1};
  return r;
}

SweepPoint Point(const ModeResult& m, std::uint64_t period_ns, std::string error) {
  SweepPoint p = sweep_point(m, period_ns);
  p.error = std::move(error);
  return p;
}

SweepReport Sweep() {
  const Report c = Compare();
  SweepReport r;
  r.kernel = c.kernel;
  r.version = "golden";
  r.module_version = "golden-module";
  r.events = 12;
  r.cpus = 2;
  r.accel = "tcg";
  r.load = "none";
  r.reader = c.reader;
  r.points.push_back(Point(c.modes[0], 1000000, ""));
  r.points.push_back(Point(c.modes[1], 100000, ""));
  r.points.push_back(Point(c.modes[2], 20000, "timeout"));
  return r;
}

BenchReport Bench() {
  const Report c = Compare();
  BenchReport r;
  r.kernel = c.kernel;
  r.version = "golden";
  r.module_version = "golden-module";
  r.cpus = 2;
  r.accel = "tcg";
  r.reader = c.reader;
  r.events = 12;
  r.rate_search = Sweep().points;
  r.rate_search.push_back(sweep_point(c.modes[0], 50000));
  r.top_half = {{"tasklet", Records::kRead, {sizeof(irqbridge_cost), 0, 12, 18000, 2000}},
                {"tasklet", Records::kUnread, {sizeof(irqbridge_cost), 0, 12, 17400, 1950}},
                {"tasklet", Records::kOff, {sizeof(irqbridge_cost), 0, 12, 16800, 1900}}};
  r.top_half_period_ns = 100000;
  r.readers = {{"uring-read", 12, 24000, true}, {"read", 11, 30000, false}};
  r.reader_period_ns = 100000;
  r.cpu_scaling = {{"tasklet", 1, 12, 12, 36000, 65536, 4096, true},
                   {"tasklet", 2, 24, 20, 80000, 131072, 4200, false}};
  StormPoint storm;
  static_cast<Counts&>(storm) = c.modes[0];
  storm.mode = "tasklet";
  storm.source = "timer";
  storm.period_ns = 100000;
  storm.burst = 10;
  storm.events = 24;
  irqbridge_record rec{};
  rec.batch = 10;
  rec.bottom.flags = IRQBRIDGE_CTX_SOFTIRQ | IRQBRIDGE_CTX_KSOFTIRQD;
  storm.add(rec);
  rec.seq = 23;
  rec.top_ns = 230000;
  rec.batch = 4;
  rec.bottom.flags = IRQBRIDGE_CTX_SOFTIRQ;
  storm.add(rec);
  r.storm.push_back(storm);
  StormAllCpus all;
  all.mode = "tasklet";
  all.source = "timer";
  all.period_ns = 100000;
  all.burst = 10;
  all.events_per_cpu = 24;
  for (int cpu : {0, 1}) {
    StormPoint p = storm;
    p.cpu = cpu;
    all.per_cpu.push_back(p);
  }
  r.storm_all_cpus.push_back(all);
  return r;
}

std::string Golden(const std::string& name) {
  return std::string(IRQBRIDGE_TEST_DATA) + "/golden/" + name;
}

void ExpectGolden(const std::string& name, const nlohmann::json& doc) {
  const std::string text = dump_json(doc) + "\n";
  if (std::getenv("IRQBRIDGE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(Golden(name)) << text;
    GTEST_SKIP() << "rewrote " << Golden(name);
  }
  std::ifstream in(Golden(name));
  ASSERT_TRUE(in) << Golden(name);
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(text, want.str()) << name << " changed: the report JSON is a contract";
}

TEST(GoldenJson, CompareReportIsUnchanged) { ExpectGolden("compare.json", to_json(Compare())); }

TEST(GoldenJson, SweepReportIsUnchanged) { ExpectGolden("sweep.json", to_json(Sweep())); }

TEST(GoldenJson, BenchReportIsUnchanged) { ExpectGolden("bench.json", to_json(Bench())); }

}  // namespace
}  // namespace irqbridge
