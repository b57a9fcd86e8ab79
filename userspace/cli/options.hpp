// The CLI's options: one struct per subcommand, each filled by its own
// CLI11 setup below, with the groups several subcommands share composed
// into them. Every value is checked while CLI11 parses (a refusal is one
// line: validators.hpp says which status), so a command gets its struct
// ready to use.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "irqbridge/report/report.hpp"
#include "irqbridge/run/bench.hpp"
#include "irqbridge/run/load.hpp"
#include "irqbridge/run/sweep.hpp"
#include "irqbridge/run/waiter/waiter.hpp"

namespace irqbridge::cli {

inline constexpr const char* kDefaultPeriodsUs = "1000,500,200,100,50,20";

// run, compare, sweep, bench: the source, the work each event does, the
// reader and where everything runs.
struct RunShaping {
  std::string device = "/dev/irqbridge";
  std::string source = "timer";  // one of the catalogue's source names
  std::uint64_t events = 1000;
  std::uint32_t work_ns = 0;
  std::uint32_t sleep_us = 0;
  std::uint32_t burst = 1;  // --burst: top halves per expiry (bench: its storm's)
  std::string json;
  SchedPolicy sched = SchedPolicy::fifo;
  int priority = 80;
  int cpu = -1;        // one this process may run on, or -1
  int timer_cpu = -1;  // likewise
  ReaderVariant reader = ReaderVariant::uring_read;
  LoadKind load = LoadKind::none;
  bool quiet = false;
};

// run, compare: one rate, repeated, beside the floor.
struct SingleRate {
  std::uint64_t period_ns = 1000000;  // --period-us, within the module's limits
  std::uint64_t warmup = 0;           // below --events
  unsigned repeat = 1;
  std::string csv;
  std::size_t outliers = 5;
  double threshold_us = 0;
  std::vector<int> cpus;  // --cpus: a run per listed CPU (empty: one run)
  bool no_floor = false;
  bool no_timerlat = false;
};

// The mode lists below are the text given (a list or "all"), already
// checked against the compiled-in modes (names, no empty item, no
// repeat); parse_mode_list() turns it into what the module offers.

struct RunOptions {
  std::string mode = "tasklet";
  RunShaping run;
  SingleRate rate;
};

struct CompareOptions {
  std::string modes = "tasklet,workqueue";
  RunShaping run;
  SingleRate rate;
};

struct SweepOptions {
  std::string modes = "tasklet,workqueue";
  std::vector<std::uint64_t> periods_ns = parse_periods_us(kDefaultPeriodsUs);
  RunShaping run;
};

// bench's --burst is its storm's (every other figure is one top half per
// expiry): the storm's burst by default, and any value given, 1 too.
inline RunShaping bench_shaping() {
  RunShaping r;
  r.burst = kStormBurst;
  return r;
}

struct BenchOptions {
  std::string modes = "tasklet,workqueue";
  std::vector<std::uint64_t> periods_ns = parse_periods_us(kDefaultPeriodsUs);
  RunShaping run = bench_shaping();
  bool scaling_only = false;  // only the per-CPU cost
  bool costs_only = false;    // only the top half's and the readers' costs
  bool storm_only = false;    // only the storm (one CPU, then every CPU)
  // Groups of top-half runs: with records, written but unread, without.
  unsigned records_pairs = 15;
};

struct InfoOptions {
  std::string device = "/dev/irqbridge";
  bool json = false;         // --json: the catalogue
  bool compiled_in = false;  // --compiled-in: without asking the module
};

// Each adds its subcommand to app, filling o when it is the one given.
CLI::App* add_run_command(CLI::App& app, RunOptions& o);
CLI::App* add_compare_command(CLI::App& app, CompareOptions& o);
CLI::App* add_sweep_command(CLI::App& app, SweepOptions& o);
CLI::App* add_bench_command(CLI::App& app, BenchOptions& o);
CLI::App* add_info_command(CLI::App& app, InfoOptions& o);

// What the options ask of the reader thread.
ReaderSettings wanted_reader(const RunShaping& o);

std::string kernel_release();
// How the test box runs the guest (testbox.accel= on the kernel command
// line), "unknown" elsewhere.
std::string accelerator();

}  // namespace irqbridge::cli
