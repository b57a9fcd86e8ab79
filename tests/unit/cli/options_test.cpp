// The CLI's options (userspace/cli/options.hpp): argument vectors parsed
// into each subcommand's struct, its defaults, and every refusal of bad
// input while CLI11 parses. An irqbridge::Error is the CLI's own line
// (exit 1), a CLI::ParseError CLI11's (exit 2): main.cpp maps them.
#include "options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "irqbridge/abi/catalogue.hpp"
#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/reader_setup.hpp"

namespace irqbridge::cli {
namespace {

// Every subcommand added to one App, as main() does.
struct Cli {
  CLI::App app;
  RunOptions run;
  CompareOptions compare;
  SweepOptions sweep;
  BenchOptions bench;
  InfoOptions info;

  Cli() {
    add_run_command(app, run);
    add_compare_command(app, compare);
    add_sweep_command(app, sweep);
    add_bench_command(app, bench);
    add_info_command(app, info);
    app.require_subcommand(1);
  }

  void Parse(const std::vector<std::string>& args) {
    std::vector<const char*> argv = {"irqbridge"};
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
  }
};

// The line args are refused with, as the CLI prints it (status 1).
std::string Refusal(const std::vector<std::string>& args) {
  Cli cli;
  try {
    cli.Parse(args);
  } catch (const Error& e) {
    return e.what();
  }
  return "(accepted)";
}

// CLI11's refusal (status 2): the parse throws CLI::ParseError.
bool UsageError(const std::vector<std::string>& args) {
  Cli cli;
  try {
    cli.Parse(args);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() != static_cast<int>(CLI::ExitCodes::Success);
  }
  return false;
}

// A CPU this process may use, and one it may not.
int UsableCpu() { return process_cpus().front(); }
int UnusableCpu() { return process_cpus().back() + 1; }

std::string JoinedSources() { return joined(compiled_catalogue().source_names()); }

TEST(Options, RunDefaults) {
  Cli cli;
  cli.Parse({"run"});
  const RunOptions& o = cli.run;
  EXPECT_EQ(o.mode, "tasklet");
  EXPECT_EQ(o.run.device, "/dev/irqbridge");
  EXPECT_EQ(o.run.source, "timer");
  EXPECT_EQ(o.run.events, 1000U);
  EXPECT_EQ(o.run.work_ns, 0U);
  EXPECT_EQ(o.run.sleep_us, 0U);
  EXPECT_EQ(o.run.json, "");
  EXPECT_EQ(o.run.sched, SchedPolicy::fifo);
  EXPECT_EQ(o.run.priority, 80);
  EXPECT_EQ(o.run.cpu, -1);
  EXPECT_EQ(o.run.timer_cpu, -1);
  EXPECT_EQ(o.run.reader, ReaderVariant::uring_read);
  EXPECT_EQ(o.run.load, LoadKind::none);
  EXPECT_FALSE(o.run.quiet);
  EXPECT_EQ(o.rate.period_ns, 1000000U);
  EXPECT_EQ(o.rate.warmup, 0U);
  EXPECT_EQ(o.rate.repeat, 1U);
  EXPECT_EQ(o.rate.csv, "");
  EXPECT_EQ(o.rate.outliers, 5U);
  EXPECT_EQ(o.rate.threshold_us, 0.0);
  EXPECT_TRUE(o.rate.cpus.empty());
  EXPECT_FALSE(o.rate.no_floor);
  EXPECT_FALSE(o.rate.no_timerlat);
}

TEST(Options, OtherDefaults) {
  Cli compare;
  compare.Parse({"compare"});
  EXPECT_EQ(compare.compare.modes, "tasklet,workqueue");
  EXPECT_EQ(compare.compare.rate.period_ns, 1000000U);
  Cli sweep;
  sweep.Parse({"sweep"});
  EXPECT_EQ(sweep.sweep.modes, "tasklet,workqueue");
  const std::vector<std::uint64_t> periods = {1000000, 500000, 200000, 100000, 50000, 20000};
  EXPECT_EQ(sweep.sweep.periods_ns, periods);
  Cli bench;
  bench.Parse({"bench"});
  EXPECT_EQ(bench.bench.modes, "tasklet,workqueue");
  EXPECT_EQ(bench.bench.periods_ns, periods);
  EXPECT_FALSE(bench.bench.scaling_only);
  EXPECT_FALSE(bench.bench.costs_only);
  Cli info;
  info.Parse({"info"});
  EXPECT_EQ(info.info.device, "/dev/irqbridge");
  EXPECT_FALSE(info.info.json);
  EXPECT_FALSE(info.info.compiled_in);
}

TEST(Options, RunFillsItsOwnStruct) {
  Cli cli;
  const std::string cpu = std::to_string(UsableCpu());
  cli.Parse({"run",     "--mode",         "workqueue",  "--events",     "500",   "--period-us",
             "20.5",    "--warmup",       "10",         "--repeat",     "3",     "--source",
             "irqchip", "--reader",       "epoll",      "--load",       "cpu",   "--sched",
             "other",   "--priority",     "50",         "--cpus",       cpu,     "--outliers",
             "0",       "--threshold-us", "7.5",        "--csv",        "e.csv", "--json",
             "r.json",  "--work-ns",      "100",        "--sleep-us",   "3",     "--device",
             "/dev/x",  "--quiet",        "--no-floor", "--no-timerlat"});
  const RunOptions& o = cli.run;
  EXPECT_EQ(o.mode, "workqueue");
  EXPECT_EQ(o.run.events, 500U);
  EXPECT_EQ(o.rate.period_ns, 20500U) << "--period-us in nanoseconds";
  EXPECT_EQ(o.rate.warmup, 10U);
  EXPECT_EQ(o.rate.repeat, 3U);
  EXPECT_EQ(o.run.source, "irqchip");
  EXPECT_EQ(o.run.reader, ReaderVariant::epoll);
  EXPECT_EQ(o.run.load, LoadKind::cpu);
  EXPECT_EQ(o.run.sched, SchedPolicy::other);
  EXPECT_EQ(o.run.priority, 50);
  EXPECT_EQ(o.rate.cpus, std::vector<int>{UsableCpu()}) << "--cpus parsed into CPU numbers";
  EXPECT_EQ(o.rate.outliers, 0U);
  EXPECT_EQ(o.rate.threshold_us, 7.5);
  EXPECT_EQ(o.rate.csv, "e.csv");
  EXPECT_EQ(o.run.json, "r.json");
  EXPECT_EQ(o.run.work_ns, 100U);
  EXPECT_EQ(o.run.sleep_us, 3U);
  EXPECT_EQ(o.run.device, "/dev/x");
  EXPECT_TRUE(o.run.quiet);
  EXPECT_TRUE(o.rate.no_floor);
  EXPECT_TRUE(o.rate.no_timerlat);
  // The other subcommands' structs are left as they were.
  EXPECT_EQ(cli.compare.run.events, 1000U);
  EXPECT_EQ(cli.sweep.run.source, "timer");
  EXPECT_EQ(cli.bench.run.reader, ReaderVariant::uring_read);
}

TEST(Options, SweepBenchInfoFillTheirs) {
  Cli sweep;
  sweep.Parse({"sweep", "--modes", "all", "--periods-us", "100,20.5", "--events", "300"});
  EXPECT_EQ(sweep.sweep.modes, "all");
  EXPECT_EQ(sweep.sweep.periods_ns, (std::vector<std::uint64_t>{100000, 20500}));
  EXPECT_EQ(sweep.sweep.run.events, 300U);
  Cli bench;
  bench.Parse({"bench", "--modes", "tasklet", "--scaling-only", "--timer-cpu",
               std::to_string(UsableCpu())});
  EXPECT_EQ(bench.bench.modes, "tasklet");
  EXPECT_TRUE(bench.bench.scaling_only);
  EXPECT_EQ(bench.bench.run.timer_cpu, UsableCpu());
  Cli info;
  info.Parse({"info", "--json", "--compiled-in", "--device", "/dev/y"});
  EXPECT_TRUE(info.info.json);
  EXPECT_TRUE(info.info.compiled_in);
  EXPECT_EQ(info.info.device, "/dev/y");
}

// The mode lists: every item a compiled-in mode, none empty, none twice;
// refused with the CLI's line (status 1) on each subcommand that takes one.
TEST(Options, ModeListsRefuseEmptyUnknownAndRepeatedItems) {
  for (const std::string option :
       {"run --mode", "compare --modes", "sweep --modes", "bench --modes"}) {
    const std::string sub = option.substr(0, option.find(' '));
    const std::string flag = option.substr(option.find(' ') + 1);
    for (const char* list : {"tasklet,,workqueue", ",tasklet", "tasklet,", ",", "",
                             "tasklet,tasklet", "nope", "tasklet,all"}) {
      EXPECT_NE(Refusal({sub, flag, list}), "(accepted)") << option << " '" << list << "'";
    }
    EXPECT_EQ(Refusal({sub, flag, "tasklet,,workqueue"}),
              "mode list 'tasklet,,workqueue' has an empty item (give e.g. tasklet,workqueue)");
    EXPECT_EQ(Refusal({sub, flag, "tasklet,tasklet"}), "mode tasklet is listed twice");
    EXPECT_EQ(Refusal({sub, flag, "nope"}), "unknown mode 'nope'");
    EXPECT_EQ(Refusal({sub, flag, "workqueue,tasklet"}), "(accepted)") << option;
    EXPECT_EQ(Refusal({sub, flag, "all"}), "(accepted)") << option;
  }
}

TEST(Options, CpusListsRefuseEmptyItemsRepeatsAndUnusableCpus) {
  const std::string c = std::to_string(UsableCpu());
  const std::vector<std::string> lists = {c + ",," + c,
                                          "," + c,
                                          c + ",",
                                          ",",
                                          "",
                                          c + "," + c,
                                          c + "-" + c + "," + c,
                                          std::to_string(UnusableCpu()),
                                          c + "-" + std::to_string(UnusableCpu()),
                                          "x",
                                          c + "-"};
  for (const std::string& list : lists) {
    const std::string line = Refusal({"run", "--cpus", list});
    EXPECT_EQ(line.rfind("--cpus", 0), 0U) << "'" << list << "': " << line;
  }
  EXPECT_EQ(Refusal({"compare", "--cpus", c + "," + c}),
            "--cpus '" + c + "," + c + "': CPU " + c + " is listed twice");
  // A range: each CPU of it, ascending.
  Cli cli;
  cli.Parse({"compare", "--cpus", c + "-" + c});
  EXPECT_EQ(cli.compare.rate.cpus, std::vector<int>{UsableCpu()});
  Cli all;
  all.Parse({"compare", "--cpus", "all"});
  EXPECT_EQ(all.compare.rate.cpus, process_cpus());
}

TEST(Options, CpusExcludesCpuAndTimerCpu) {
  const std::string c = std::to_string(UsableCpu());
  const std::string line =
      "--cpus places a reader and a timer on each listed CPU: drop --cpu and --timer-cpu";
  EXPECT_EQ(Refusal({"run", "--cpus", c, "--cpu", c}), line);
  EXPECT_EQ(Refusal({"compare", "--timer-cpu", c, "--cpus", c}), line);
}

TEST(Options, PeriodsListsRefuseEmptyItems) {
  for (const char* list : {"100,,20", ",100", "100,", ",", "", "100,x", "5"}) {
    EXPECT_NE(Refusal({"sweep", "--periods-us", list}), "(accepted)") << list;
    EXPECT_NE(Refusal({"bench", "--periods-us", list}), "(accepted)") << list;
  }
  EXPECT_EQ(Refusal({"sweep", "--periods-us", "100,,20"}),
            "--periods-us: '' is not a number of microseconds");
}

TEST(Options, SourceIsACatalogueName) {
  for (const auto& name : compiled_catalogue().source_names()) {
    Cli cli;
    cli.Parse({"compare", "--source", name});
    EXPECT_EQ(cli.compare.run.source, name);
  }
  EXPECT_EQ(Refusal({"run", "--source", "bogus"}),
            "unknown --source 'bogus' (one of " + JoinedSources() + ")");
  EXPECT_EQ(Refusal({"bench", "--source", ""}),
            "unknown --source '' (one of " + JoinedSources() + ")");
  EXPECT_NE(JoinedSources().find("timer"), std::string::npos);
}

TEST(Options, SingleValuesRefusedWithTheirLine) {
  EXPECT_EQ(Refusal({"run", "--period-us", "5"}), "--period-us 5 is outside 10 .. 1000000 us");
  EXPECT_EQ(Refusal({"compare", "--period-us", "2000000"}),
            "--period-us 2000000 is outside 10 .. 1000000 us");
  EXPECT_EQ(Refusal({"run", "--warmup", "10", "--events", "10"}),
            "--warmup 10 leaves none of --events 10: make it smaller");
  const std::string bad = std::to_string(UnusableCpu());
  for (const char* sub : {"run", "compare", "sweep", "bench"}) {
    EXPECT_EQ(Refusal({sub, "--timer-cpu", bad}).rfind("--timer-cpu " + bad + ": ", 0), 0U) << sub;
    EXPECT_EQ(Refusal({sub, "--cpu", bad}).rfind("--cpu " + bad + ": ", 0), 0U) << sub;
  }
  EXPECT_EQ(Refusal({"run", "--reader", "bogus"}).rfind("unknown --reader 'bogus'", 0), 0U);
}

// bench's --burst is its storm's: the storm's burst when not given, and the
// value given otherwise, 1 included (it once became the default 50); the
// other subcommands keep one top half per expiry.
TEST(Options, BenchBurstIsTheStormsAndOneIsKept) {
  Cli def;
  def.Parse({"bench"});
  EXPECT_EQ(def.bench.run.burst, kStormBurst);
  EXPECT_FALSE(def.bench.storm_only);
  EXPECT_EQ(def.run.run.burst, 1U);
  EXPECT_EQ(def.compare.run.burst, 1U);
  Cli one;
  one.Parse({"bench", "--burst", "1"});
  EXPECT_EQ(one.bench.run.burst, 1U) << "--burst 1 asked for bursts of one";
  Cli some;
  some.Parse({"bench", "--burst", "7", "--storm-only"});
  EXPECT_EQ(some.bench.run.burst, 7U);
  EXPECT_TRUE(some.bench.storm_only);
  EXPECT_TRUE(UsageError({"bench", "--storm-only", "--costs-only"}));
  EXPECT_TRUE(UsageError({"bench", "--storm-only", "--scaling-only"}));
  EXPECT_TRUE(UsageError({"bench", "--burst", "0"}));
}

TEST(Options, BenchRecordsPairs) {
  Cli def;
  def.Parse({"bench"});
  EXPECT_EQ(def.bench.records_pairs, 15U) << "enough pairs for a 95 % interval by default";
  Cli some;
  some.Parse({"bench", "--costs-only", "--records-pairs", "40"});
  EXPECT_EQ(some.bench.records_pairs, 40U);
  EXPECT_TRUE(UsageError({"bench", "--records-pairs", "0"}));
  EXPECT_TRUE(UsageError({"bench", "--records-pairs", "1001"}));
  EXPECT_TRUE(UsageError({"bench", "--records-pairs", "-3"}));
  EXPECT_TRUE(UsageError({"run", "--records-pairs", "5"})) << "bench's option only";
}

TEST(Options, UsageErrorsAreCli11s) {
  EXPECT_TRUE(UsageError({"run", "--events", "0"}));
  EXPECT_TRUE(UsageError({"run", "--period-us", "abc"}));
  EXPECT_TRUE(UsageError({"run", "--priority", "100"}));
  EXPECT_TRUE(UsageError({"run", "--load", "bogus"}));
  EXPECT_TRUE(UsageError({"run", "--sched", "rr"}));
  EXPECT_TRUE(UsageError({"run", "--modes", "tasklet"})) << "compare's option, not run's";
  EXPECT_TRUE(UsageError({"compare", "--mode", "tasklet"})) << "run's option, not compare's";
  EXPECT_TRUE(UsageError({"sweep", "--cpus", "0"})) << "run and compare only";
  EXPECT_TRUE(UsageError({"bench", "--costs-only", "--scaling-only"}));
  EXPECT_TRUE(UsageError({"info", "--events", "5"}));
  EXPECT_TRUE(UsageError({}));
  EXPECT_FALSE(UsageError({"bench", "--costs-only"}));
}

}  // namespace
}  // namespace irqbridge::cli
