#include "irqbridge/report/report.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace irqbridge {
namespace {

RunResult OneRun(std::uint32_t bottom_flag, std::uint64_t events, std::uint64_t slower = 0) {
  std::vector<irqbridge_record> recs;
  std::vector<Wakeup> wakes;
  for (std::uint64_t i = 0; i < events; i++) {
    irqbridge_record r{};
    r.seq = i;
    r.expected_ns = 1000 * i;
    r.raise_ns = r.expected_ns + 1;
    r.top_ns = r.expected_ns + 80 + slower;
    r.bottom_ns = r.top_ns + 20 + i;
    r.signal_ns = r.bottom_ns + 2;
    r.top.flags = IRQBRIDGE_CTX_HARDIRQ | IRQBRIDGE_CTX_IRQS_OFF;
    r.bottom.flags = bottom_flag;
    recs.push_back(r);
    wakes.push_back({i + 1, r.signal_ns + 10});
  }
  RunResult run;
  run.kernel.fired = run.kernel.counted = run.kernel.raised = run.kernel.bottom_runs = events;
  run.kernel.records = events;
  run.kernel.max_batch = 1 + slower;
  run.reader_total = run.wakeups = events;
  run.reader_cpu_ns = 1000 * events;
  run.analysis = analyze(recs, wakes, false);
  return run;
}

ModeResult Result(const std::string& mode, std::uint32_t bottom_flag, std::uint64_t events) {
  std::vector<RunResult> runs;
  runs.push_back(OneRun(bottom_flag, events));
  return pool_runs(mode, "timer", false, std::move(runs));
}

Floor SomeFloor() {
  Floor f;
  f.available = true;
  f.reason.clear();
  f.cycles = 10;
  for (int i = 0; i < 10; i++) f.histogram.record(50);
  return f;
}

Report TwoModes() {
  Report r;
  r.kernel = "6.12.0-test";
  r.period_ns = 1000000;
  r.events = 10;
  r.reader = {SchedPolicy::fifo, 80, true, -1};
  r.cpus = 2;
  r.accel = "tcg";
  r.modes.push_back(Result("tasklet", IRQBRIDGE_CTX_SOFTIRQ, 10));
  r.modes.push_back(Result("workqueue", IRQBRIDGE_CTX_TASK, 10));
  return r;
}

TEST(ReportJson, HasEveryContractKey) {
  nlohmann::json j = to_json(TwoModes());
  EXPECT_EQ(j["schema"], "irqbridge.compare/1");
  EXPECT_EQ(j["kernel"], "6.12.0-test");
  EXPECT_EQ(j["period_ns"], 1000000);
  EXPECT_EQ(j["events"], 10);
  for (const char* mode : {"tasklet", "workqueue"}) {
    SCOPED_TRACE(mode);
    const auto& m = j["modes"][mode];
    for (const char* key : {"fired", "counted", "wakeups", "overruns"})
      EXPECT_TRUE(m[key].is_number_unsigned()) << key;
    EXPECT_EQ(m["fired"], 10);
    EXPECT_EQ(m["counted"], 10);
    EXPECT_EQ(m["context"]["top"], "hardirq");
    for (const char* stage : {"timer_to_top", "top_to_bottom", "bottom_to_user", "top_to_user"}) {
      const auto& st = m["latency_ns"][stage];
      for (const char* key : {"n", "p50", "p90", "p99", "p999", "max"})
        EXPECT_TRUE(st[key].is_number_integer()) << stage << "." << key;
      EXPECT_EQ(st["n"], 10);
    }
  }
  EXPECT_EQ(j["modes"]["tasklet"]["context"]["bottom"], "softirq");
  EXPECT_EQ(j["modes"]["workqueue"]["context"]["bottom"], "task");
  EXPECT_EQ(j["modes"]["tasklet"]["latency_ns"]["timer_to_top"]["p50"], 80);
  EXPECT_EQ(j["modes"]["tasklet"]["latency_ns"]["top_to_bottom"]["max"], 29);
  EXPECT_EQ(j["reader"]["policy"], "SCHED_FIFO");
  EXPECT_EQ(j["reader"]["priority"], 80);
  EXPECT_EQ(j["modes"]["tasklet"]["exact"], true);
  EXPECT_EQ(j["accel"], "tcg");
  EXPECT_EQ(j["cpus"], 2);
}

TEST(ReportJson, MismatchIsVisible) {
  Report r = TwoModes();
  r.modes[0].kernel.counted = 9;
  EXPECT_FALSE(r.modes[0].exact());
  EXPECT_EQ(to_json(r)["modes"]["tasklet"]["exact"], false);
  EXPECT_NE(format_table(r).find("COUNT MISMATCH"), std::string::npos);
}

TEST(ReportTable, ShowsModesContextsAndStages) {
  std::string t = format_table(TwoModes());
  EXPECT_NE(t.find("reader uring-read, SCHED_FIFO 80 + mlockall"), std::string::npos) << t;
  EXPECT_NE(t.find("2 CPUs (tcg)"), std::string::npos) << t;
  EXPECT_NE(t.find("softirq (DISPATCH_LEVEL)"), std::string::npos) << t;
  EXPECT_NE(t.find("task (PASSIVE_LEVEL)"), std::string::npos) << t;
  EXPECT_NE(t.find("hardirq (DIRQL)"), std::string::npos) << t;
  for (const char* stage : {"timer_to_top", "top_to_bottom", "bottom_to_user", "top_to_user"})
    EXPECT_NE(t.find(stage), std::string::npos) << stage;
  EXPECT_EQ(t.find("COUNT MISMATCH"), std::string::npos);
  EXPECT_EQ(t.find("second hop"), std::string::npos) << "no chain mode, no chain column";
}

TEST(Repetitions, PooledAndSpread) {
  std::vector<RunResult> runs;
  runs.push_back(OneRun(IRQBRIDGE_CTX_SOFTIRQ, 10, 0));
  runs.push_back(OneRun(IRQBRIDGE_CTX_SOFTIRQ, 10, 30));
  runs.push_back(OneRun(IRQBRIDGE_CTX_SOFTIRQ, 10, 10));
  ModeResult m = pool_runs("tasklet", "timer", false, std::move(runs));
  EXPECT_EQ(m.kernel.fired, 30u);
  EXPECT_EQ(m.reader_total, 30u);
  EXPECT_EQ(m.kernel.max_batch, 31u) << "the largest batch, not a sum";
  EXPECT_TRUE(m.exact());
  EXPECT_EQ(m.latency[static_cast<std::size_t>(Stage::timer_to_top)].n, 30u);
  const Spread s = spread_of(m, Stage::timer_to_top, &Summary::p50);
  EXPECT_EQ(s.min, 80);
  EXPECT_EQ(s.median, 90);
  EXPECT_EQ(s.max, 110);

  Report r = TwoModes();
  r.repetitions = 3;
  r.modes[0] = m;
  nlohmann::json j = to_json(r);
  const auto& t = j["modes"]["tasklet"];
  EXPECT_EQ(t["repetitions"], 3);
  ASSERT_EQ(t["runs"].size(), 3u);
  EXPECT_EQ(t["runs"][1]["latency_ns"]["timer_to_user"]["n"], 10);
  EXPECT_EQ(t["spread"]["timer_to_top"]["p50"]["median"], 90);
  EXPECT_EQ(t["reader_cpu_ns_per_wakeup"], 1000.0);
  EXPECT_NE(format_table(r).find("spread (us)"), std::string::npos);

  // Runs that lost a count make the pooled result inexact, even when
  // their errors balance out in the sums (one read too many, one too few).
  std::vector<RunResult> unbalanced;
  unbalanced.push_back(OneRun(IRQBRIDGE_CTX_SOFTIRQ, 10));
  unbalanced.push_back(OneRun(IRQBRIDGE_CTX_SOFTIRQ, 10));
  unbalanced[0].reader_total++;
  unbalanced[1].reader_total--;
  const ModeResult u = pool_runs("tasklet", "timer", false, std::move(unbalanced));
  EXPECT_EQ(u.reader_total, u.kernel.counted);
  EXPECT_FALSE(u.exact());
  r.modes[0] = u;
  j = to_json(r);
  EXPECT_EQ(j["modes"]["tasklet"]["exact"], false);
  EXPECT_EQ(j["modes"]["tasklet"]["runs"][0]["exact"], false);
  EXPECT_EQ(j["modes"]["tasklet"]["runs"][1]["exact"], false);
}

TEST(Floor, RatiosInJsonAndTable) {
  Report r = TwoModes();
  r.floor = SomeFloor();
  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["floor"]["available"], true);
  EXPECT_EQ(j["floor"]["latency_ns"]["p50"], 50);
  // timer_to_user of the tasklet: 80 + 20 + i + 2 + 10 ns, p50 = 116.
  const auto& vs = j["modes"]["tasklet"]["vs_floor"]["timer_to_user"];
  EXPECT_DOUBLE_EQ(vs["p50"].get<double>(),
                   j["modes"]["tasklet"]["latency_ns"]["timer_to_user"]["p50"].get<double>() / 50);
  EXPECT_FALSE(j["modes"]["tasklet"]["histogram_ns"]["timer_to_user"].empty());
  const std::string t = format_table(r);
  EXPECT_NE(t.find("cyclictest"), std::string::npos) << t;
  EXPECT_NE(t.find("vs floor"), std::string::npos) << t;
}

TEST(Floor, MissingFloorIsSaidNotInvented) {
  Report r = TwoModes();
  r.floor.reason = "cyclictest is not installed (Debian package rt-tests)";
  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["floor"]["available"], false);
  EXPECT_FALSE(j["floor"].contains("latency_ns"));
  EXPECT_FALSE(j["modes"]["tasklet"].contains("vs_floor"));
  EXPECT_NE(format_table(r).find("not available: cyclictest is not installed"), std::string::npos);
}

// A floor of 0 has no ratio: the keys stay (a contract), the values are
// null, and the table says n/a instead of "0.0x".
TEST(Floor, ZeroFloorIsNotAvailableAsARatio) {
  Report r = TwoModes();
  r.floor.available = true;
  r.floor.reason.clear();
  r.floor.cycles = 10;
  r.floor.histogram.record(0, 10);
  nlohmann::json j = to_json(r);
  const auto& vs = j["modes"]["tasklet"]["vs_floor"]["timer_to_user"];
  ASSERT_TRUE(vs.contains("p50"));
  EXPECT_TRUE(vs["p50"].is_null()) << vs;
  EXPECT_TRUE(vs["max"].is_null()) << vs;
  const std::string t = format_table(r);
  EXPECT_NE(t.find("n/a"), std::string::npos) << t;
  EXPECT_EQ(t.find("0.0x"), std::string::npos) << t;
}

TEST(ReportJson, ReaderShowsItsIoUringSetup) {
  Report r = TwoModes();
  r.reader.io_uring_setup = "SINGLE_ISSUER|DEFER_TASKRUN";
  r.reader.io_uring_flags = (1U << 12) | (1U << 13);
  r.reader.io_uring_fixed_eventfd = true;
  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["reader"]["io_uring_setup"]["flags"], "SINGLE_ISSUER|DEFER_TASKRUN");
  EXPECT_EQ(j["reader"]["io_uring_setup"]["value"], 12288);
  EXPECT_EQ(j["reader"]["io_uring_setup"]["fixed_eventfd"], true);
  EXPECT_EQ(j["reader"]["io_uring_setup"]["registered_ring_fd"], false);
  EXPECT_EQ(j["reader"]["io_uring_used"], true);
  const std::string t = format_table(r);
  EXPECT_NE(t.find("uring-read (io_uring SINGLE_ISSUER|DEFER_TASKRUN)"), std::string::npos) << t;
  r.reader.variant = "read";  // not an io_uring reader: no setup in its line
  EXPECT_EQ(format_table(r).find("(io_uring"), std::string::npos);
  // The probed setup stays in the report (a key is never dropped), and
  // io_uring_used says it did not apply to this run (issue 16).
  j = to_json(r);
  EXPECT_EQ(j["reader"]["io_uring_used"], false);
  EXPECT_EQ(j["reader"]["io_uring_setup"]["flags"], "SINGLE_ISSUER|DEFER_TASKRUN");
  r.reader.variant = "uring-poll";
  EXPECT_EQ(to_json(r)["reader"]["io_uring_used"], true);
}

TEST(ReportJson, AddedKeysForMeasurements) {
  nlohmann::json j = to_json(TwoModes());
  EXPECT_EQ(j["reader"]["variant"], "uring-read");
  EXPECT_EQ(j["warmup"], 0);
  EXPECT_EQ(j["repetitions"], 1);
  EXPECT_EQ(j["load"], "none");
  EXPECT_TRUE(j["modes"]["tasklet"]["latency_ns"]["top_to_user"].contains("p9999"));
  EXPECT_EQ(j["modes"]["tasklet"]["warmup"], 0);
}

// A per-CPU run: one run per CPU; CPU 1's bottom halves ran on CPU 0.
RunResult CpuRun(int cpu, std::uint32_t bottom_cpu, std::uint64_t events) {
  std::vector<irqbridge_record> recs;
  std::vector<Wakeup> wakes;
  for (std::uint64_t i = 0; i < events; i++) {
    irqbridge_record r{};
    r.seq = i;
    r.expected_ns = 1000 * i;
    r.raise_ns = r.top_ns = r.expected_ns + 50;
    r.bottom_ns = r.top_ns + 10;
    r.signal_ns = r.bottom_ns + 1;
    r.top.flags = IRQBRIDGE_CTX_HARDIRQ;
    r.top.cpu = static_cast<std::uint32_t>(cpu);
    r.bottom.flags = IRQBRIDGE_CTX_TASK;
    r.bottom.cpu = bottom_cpu;
    recs.push_back(r);
    wakes.push_back({i + 1, r.signal_ns + 5});
  }
  RunResult run;
  run.cpu = cpu;
  run.kernel.fired = run.kernel.counted = events;
  run.reader_total = run.wakeups = events;
  run.analysis = analyze(recs, wakes, false);
  return run;
}

TEST(PerCpu, PooledOverallAndPerCpuWithCrossCpuShare) {
  std::vector<RunResult> runs;
  runs.push_back(CpuRun(1, 0, 6));
  runs.push_back(CpuRun(0, 0, 4));
  Report r = TwoModes();
  r.cpu_list = {0, 1};
  r.modes.clear();
  r.modes.push_back(pool_runs("wq_unbound", "timer", false, std::move(runs)));
  const ModeResult& m = r.modes.front();
  ASSERT_EQ(m.per_cpu.size(), 2u);
  EXPECT_EQ(m.per_cpu[0].cpu, 0);
  EXPECT_EQ(m.per_cpu[1].cpu, 1);
  EXPECT_EQ(m.per_cpu[0].kernel.fired, 4u);
  EXPECT_EQ(m.per_cpu[1].kernel.fired, 6u);
  EXPECT_EQ(m.per_cpu[0].bottom_cross_cpu, 0u);
  EXPECT_EQ(m.per_cpu[1].bottom_cross_cpu, 6u);
  EXPECT_EQ(m.kernel.fired, 10u);
  EXPECT_EQ(m.bottom_cross_cpu, 6u);
  EXPECT_TRUE(m.exact());

  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["cpu_list"], nlohmann::json::array({0, 1}));
  const auto& parts = j["modes"]["wq_unbound"]["per_cpu"];
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1]["cpu"], 1);
  EXPECT_EQ(parts[1]["fired"], 6);
  EXPECT_EQ(parts[1]["exact"], true);
  EXPECT_EQ(parts[1]["cross_cpu"]["bottom"], 6);
  EXPECT_EQ(parts[1]["context_detail"]["top"]["cpus"], nlohmann::json::array({1}));
  EXPECT_EQ(parts[1]["context_detail"]["bottom"]["cpus"], nlohmann::json::array({0}));
  EXPECT_EQ(j["modes"]["wq_unbound"]["runs"][0]["cpu"], 1);
  EXPECT_EQ(j["modes"]["wq_unbound"]["cross_cpu"]["bottom"], 6);

  const std::string table = format_table(r);
  EXPECT_NE(table.find("per-CPU run on CPUs 0,1"), std::string::npos) << table;
  EXPECT_NE(table.find("100.0%"), std::string::npos) << table;
}

TEST(PerCpu, PlainRunHasNoPerCpuPart) {
  nlohmann::json j = to_json(TwoModes());
  EXPECT_FALSE(j["modes"]["tasklet"].contains("per_cpu"));
  EXPECT_TRUE(j["cpu_list"].empty());
  EXPECT_EQ(j["modes"]["tasklet"]["cross_cpu"]["bottom"], 0);
}

}  // namespace
}  // namespace irqbridge
