// The CLI's options, shared by its subcommands, and what they turn into.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "irqbridge/report/report.hpp"
#include "irqbridge/run/load.hpp"
#include "irqbridge/run/sweep.hpp"
#include "irqbridge/run/waiter/waiter.hpp"

namespace irqbridge::cli {

inline constexpr const char* kDefaultPeriodsUs = "1000,500,200,100,50,20";

struct Options {
  std::string device = "/dev/irqbridge";
  std::string mode = "tasklet";
  std::string modes = "tasklet,workqueue";
  std::string source = "timer";
  std::uint64_t events = 1000;
  double period_us = 1000;
  // --periods-us as nanoseconds, parsed while CLI11 parses.
  std::vector<std::uint64_t> periods_ns = parse_periods_us(kDefaultPeriodsUs);
  std::uint32_t work_ns = 0;
  std::uint32_t sleep_us = 0;
  std::uint32_t burst = 1;  // --burst: top halves per expiry (bench: its storm's)
  std::uint64_t warmup = 0;
  unsigned repeat = 1;
  std::size_t outliers = 5;
  double threshold_us = 0;
  std::string json;
  std::string csv;
  SchedPolicy sched = SchedPolicy::fifo;
  int priority = 80;
  int cpu = -1;
  int timer_cpu = -1;
  std::string cpus;  // --cpus LIST|all: per-CPU runs
  ReaderVariant reader = ReaderVariant::uring_read;
  LoadKind load = LoadKind::none;
  bool no_floor = false;
  bool no_timerlat = false;
  bool scaling_only = false;  // bench: only the per-CPU cost
  bool costs_only = false;    // bench: only the top half's and the readers' costs
  bool quiet = false;
  bool info_json = false;    // info --json: the catalogue
  bool compiled_in = false;  // info --compiled-in: without asking the module
};

// Options every measuring subcommand has.
void add_run_options(CLI::App* app, Options& o);
// --period-us, --repeat, --warmup, --csv, --no-floor (run, compare); after
// add_run_options, whose --cpu and --timer-cpu --cpus refuses.
void add_single_rate_options(CLI::App* app, Options& o);

// --periods-us: a mode's periods (sweep, bench).
void add_periods_option(CLI::App* app, Options& o, const std::string& help);

// Validated conversions; each throws Error with a one-line message.
std::uint64_t period_ns(const Options& o);
void check_cpus(const Options& o);
// --cpus as CPU numbers (empty without it).
std::vector<int> cpu_list(const Options& o);

// What the options ask of the reader thread.
ReaderSettings wanted_reader(const Options& o);

std::string kernel_release();
// How the test box runs the guest (testbox.accel= on the kernel command
// line), "unknown" elsewhere.
std::string accelerator();

}  // namespace irqbridge::cli
