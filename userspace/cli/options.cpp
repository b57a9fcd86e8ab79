#include "options.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "irqbridge/abi/catalogue.hpp"
#include "irqbridge/abi/modes.hpp"
#include "irqbridge/run/bench.hpp"
#include "irqbridge/sys/cpu_list.hpp"
#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/reader_setup.hpp"
#include "validators.hpp"

namespace irqbridge::cli {

namespace {

std::string variant_help() {
  std::string s = "How the reader waits on the eventfd:";
  for (ReaderVariant v : all_variants())
    s += fmt::format(" {} = {};", variant_name(v), variant_description(v));
  s.back() = '.';
  return s;
}

// --reader's and --load's names, from their one table each.
EnumOf<ReaderVariant>::Table variant_table() {
  EnumOf<ReaderVariant>::Table t;
  for (ReaderVariant v : all_variants()) t.emplace_back(variant_name(v), v);
  return t;
}

EnumOf<LoadKind>::Table load_table() {
  EnumOf<LoadKind>::Table t;
  for (LoadKind k : kAllLoads) t.emplace_back(load_name(k), k);
  return t;
}

// --source: a name of the compiled-in catalogue (the module's own list
// says which are present once the device is open: check_modes).
NameOf source_names() {
  const std::vector<std::string> names = compiled_catalogue().source_names();
  return NameOf(names, [list = joined(names)](const std::string& value) {
    return "unknown --source '" + value + "' (one of " + list + ")";
  });
}

// --mode / --modes: the compiled-in modes (the module's are asked once the
// device is open); an unknown, empty or repeated item refused here.
CLI::Validator mode_list() {
  return ParsedBy([](const std::string& list) { parse_mode_list(list, ~0U); });
}

// One line per mode for --mode's help, from the compiled-in catalogue.
std::string mode_help() {
  std::string text = "Bottom half:";
  for (const auto& m : compiled_catalogue().modes) {
    text += "\n  " + m.name + ": " + m.mechanism + " (" + m.windows + ")";
    if (!m.missing.empty()) text += "; not on every kernel";
  }
  return text;
}

void add_modes_option(CLI::App* app, std::string& modes) {
  app->add_option("--modes", modes,
                  "Comma-separated modes (" + joined(compiled_catalogue().mode_names()) +
                      "), or 'all' the kernel supports")
      ->check(mode_list())
      ->capture_default_str();
}

// A timer period in microseconds as nanoseconds, within the module's limits.
std::uint64_t period_ns_of(double period_us) {
  const double ns = std::round(period_us * 1000.0);
  if (!(ns >= static_cast<double>(IRQBRIDGE_PERIOD_MIN_NS)) ||
      ns > static_cast<double>(IRQBRIDGE_PERIOD_MAX_NS))
    throw Error(fmt::format("--period-us {} is outside {} .. {} us", period_us,
                            IRQBRIDGE_PERIOD_MIN_NS / 1000, IRQBRIDGE_PERIOD_MAX_NS / 1000));
  return static_cast<std::uint64_t>(ns);
}

// What CLI11 cannot check option by option, once the subcommand is parsed.
void check_cpus(const RunShaping& o) {
  const std::vector<int>& usable = process_cpus();
  for (auto [name, cpu] : {std::pair{"--cpu", o.cpu}, std::pair{"--timer-cpu", o.timer_cpu}})
    if (cpu != -1 && std::find(usable.begin(), usable.end(), cpu) == usable.end())
      throw Error(fmt::format("{} {}: this process may run on CPUs {}", name, cpu,
                              format_cpu_list(usable)));
}

void check_warmup(const RunShaping& o, const SingleRate& r) {
  if (r.warmup >= o.events)
    throw Error(
        fmt::format("--warmup {} leaves none of --events {}: make it smaller", r.warmup, o.events));
}

// Options every measuring subcommand has.
void add_run_options(CLI::App* app, RunShaping& o) {
  app->add_option("--events", o.events, "Top halves per mode and run (timer interrupts)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{IRQBRIDGE_EVENTS_MAX}))
      ->capture_default_str();
  const Catalogue catalogue = compiled_catalogue();
  std::string sources;
  for (const auto& src : catalogue.sources)
    sources += (sources.empty() ? "" : ", ") + src.name + " (" + src.description + ")";
  app->add_option("--source", o.source, "Interrupt source: " + sources)
      ->check(source_names())
      ->capture_default_str();
  app->add_option("--work-ns", o.work_ns,
                  "Busy work per event in the bottom half that signals (any mode)")
      ->check(CLI::Range(0U, IRQBRIDGE_WORK_MAX_NS));
  app->add_option("--sleep-us", o.sleep_us,
                  "Sleep per bottom-half run: only where it may sleep (PASSIVE_LEVEL modes); "
                  "refused for tasklets and BH workqueues")
      ->check(CLI::Range(0U, IRQBRIDGE_SLEEP_MAX_US));
  app->add_option("--burst", o.burst,
                  "Top halves raised back to back at each timer expiry, an interrupt storm "
                  "(timer and irqchip sources; at most " +
                      std::to_string(IRQBRIDGE_CPU_RATE_MAX) +
                      " per second; bench: its storm's burst, default " +
                      std::to_string(kStormBurst) + ")")
      ->check(CLI::Range(1U, IRQBRIDGE_BURST_MAX));
  app->add_option("--json", o.json, "Write the report (JSON) to this file");
  app->add_option("--sched", o.sched,
                  "Reader scheduling: fifo (SCHED_FIFO + mlockall) or other (a normal task)")
      ->transform(EnumOf<SchedPolicy>({{"fifo", SchedPolicy::fifo}, {"other", SchedPolicy::other}}))
      ->type_name("TEXT")
      ->default_str("fifo");
  app->add_option("--priority", o.priority, "SCHED_FIFO priority of the reader (and cyclictest)")
      ->check(CLI::Range(1, 99))
      ->capture_default_str();
  app->add_option("--cpu", o.cpu,
                  "Pin the reader (and cyclictest) to this CPU (default: not pinned)");
  app->add_option("--timer-cpu", o.timer_cpu,
                  "CPU of the top half: the module's hrtimer is pinned to the CPU that starts "
                  "it (default: wherever the reader runs)");
  std::string variant_names;
  for (ReaderVariant v : all_variants())
    variant_names += (variant_names.empty() ? "" : ", ") + std::string(variant_name(v));
  app->add_option("--reader", o.reader, variant_help())
      ->transform(EnumOf<ReaderVariant>(variant_table(),
                                        [variant_names](const std::string& value) {
                                          return "unknown --reader '" + value + "' (one of " +
                                                 variant_names + ")";
                                        }))
      ->type_name("TEXT")
      ->default_str(std::string(variant_name(o.reader)));
  app->add_option("--load", o.load,
                  "Background load in this machine while measuring: none, cpu (a busy loop "
                  "per CPU), syscall (pipe I/O, open/close, getppid in a loop per CPU)")
      ->transform(EnumOf<LoadKind>(load_table()))
      ->type_name("TEXT")
      ->default_str(std::string(load_name(o.load)));
  app->add_option("--device", o.device, "The module's device node")->capture_default_str();
  app->add_flag("--quiet", o.quiet, "No progress line");
}

// --period-us, --repeat, --warmup, --csv, --no-floor (run, compare); after
// add_run_options, whose --cpu and --timer-cpu --cpus refuses.
void add_single_rate_options(CLI::App* app, SingleRate& o) {
  app->add_option_function<double>(
         "--period-us", [&o](double us) { o.period_ns = period_ns_of(us); },
         "Timer period in microseconds (10 .. 1000000; fractions allowed)")
      ->default_str(fmt::format("{:g}", static_cast<double>(o.period_ns) / 1000.0));
  app->add_option("--warmup", o.warmup,
                  "First events of each run left out of the latencies (still counted)")
      ->capture_default_str();
  app->add_option("--repeat", o.repeat,
                  "Runs per mode: latencies pooled, and the spread (min/median/max) across runs "
                  "shown")
      ->check(CLI::Range(1U, 100U))
      ->capture_default_str();
  app->add_option("--csv", o.csv, "Write every event's raw timestamps to this CSV file");
  app->add_option("--outliers", o.outliers,
                  "Worst events per mode to break into stages and explain (0: none)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}))
      ->capture_default_str();
  app->add_option(
         "--threshold-us", o.threshold_us,
         "Also count every event whose timer_to_user exceeds this, and explain the first 100")
      ->check(CLI::NonNegativeNumber);
  // The list parsed once, against the CPUs this process may use.
  app->add_option_function<std::string>(
         "--cpus", [&o](const std::string& list) { o.cpus = parse_cpu_list(list, process_cpus()); },
         "Per-CPU run: on each listed CPU (0,2-3 or all) its own top half (a pinned "
         "hrtimer), bottom half and reader thread with its own ring, all at once; "
         "reported per CPU and overall (not with --cpu or --timer-cpu)")
      ->check(Without({app->get_option("--cpu"), app->get_option("--timer-cpu")},
                      "--cpus places a reader and a timer on each listed CPU: drop --cpu and "
                      "--timer-cpu"));
  app->add_flag("--no-floor", o.no_floor,
                "Do not run cyclictest (the floor: timer expiry -> a user thread) first, nor "
                "rtla timerlat");
  app->add_flag("--no-timerlat", o.no_timerlat,
                "Do not run rtla timerlat (the kernel's own measurement of its timer, where "
                "the kernel has the timerlat tracer) after cyclictest");
}

// --periods-us: a mode's periods (sweep, bench).
void add_periods_option(CLI::App* app, std::vector<std::uint64_t>& periods_ns,
                        const std::string& help) {
  // Parsed once, here: an empty item ("100,") is refused, which CLI11's
  // delimiter would drop.
  app->add_option_function<std::string>(
         "--periods-us",
         [&periods_ns](const std::string& list) { periods_ns = parse_periods_us(list); }, help)
      ->default_str(kDefaultPeriodsUs);
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  auto* run = app.add_subcommand("run", "Run one mode and print its latencies");
  run->add_option("--mode", o.mode, mode_help())->check(mode_list())->capture_default_str();
  add_run_options(run, o.run);
  add_single_rate_options(run, o.rate);
  run->final_callback([&o] {
    check_cpus(o.run);
    check_warmup(o.run, o.rate);
  });
  return run;
}

CLI::App* add_compare_command(CLI::App& app, CompareOptions& o) {
  auto* compare = app.add_subcommand(
      "compare", "Run several modes back to back with the same settings, side by side");
  add_modes_option(compare, o.modes);
  add_run_options(compare, o.run);
  add_single_rate_options(compare, o.rate);
  compare->final_callback([&o] {
    check_cpus(o.run);
    check_warmup(o.run, o.rate);
  });
  return compare;
}

CLI::App* add_sweep_command(CLI::App& app, SweepOptions& o) {
  auto* sweep = app.add_subcommand(
      "sweep",
      "Run each mode over a list of periods: where it starts coalescing, where records overrun, "
      "that fired == counted at every rate (JSON schema irqbridge.sweep/1)");
  add_modes_option(sweep, o.modes);
  add_periods_option(sweep, o.periods_ns,
                     "Comma-separated periods in microseconds; a mode stops at the first one the "
                     "machine cannot keep up with");
  add_run_options(sweep, o.run);
  sweep->final_callback([&o] { check_cpus(o.run); });
  return sweep;
}

CLI::App* add_bench_command(CLI::App& app, BenchOptions& o) {
  auto* bench = app.add_subcommand(
      "bench",
      "The benchmark's figures (JSON schema irqbridge.bench/1): the highest event rate each mode "
      "sustains (every event counted, no record lost, <1% of the periods skipped), the top half's "
      "cost with and without per-event records, the reader's CPU time per wake-up for each "
      "variant, the reader's CPU time and memory with a reader per CPU on 1, 2 and all "
      "CPUs, and each mode's capacity under an interrupt storm (--burst top halves per expiry, "
      "on one CPU and then on every CPU at once)");
  add_modes_option(bench, o.modes);
  add_periods_option(bench, o.periods_ns,
                     "Periods to search, slowest first; a mode stops at the first one not "
                     "sustained");
  add_run_options(bench, o.run);
  bench->add_flag("--scaling-only", o.scaling_only,
                  "Only the per-CPU cost (1, 2 and all CPUs), e.g. in a test box with more CPUs");
  bench
      ->add_flag("--costs-only", o.costs_only,
                 "Only the top half's cost with and without records and the readers' costs "
                 "(no rate search, no per-CPU runs)")
      ->excludes("--scaling-only");
  bench
      ->add_flag("--storm-only", o.storm_only,
                 "Only the storm: each mode with --burst top halves per expiry on one CPU, then "
                 "on every CPU at once (a channel per CPU, each within its CPU's budget)")
      ->excludes("--scaling-only")
      ->excludes("--costs-only");
  bench
      ->add_option("--records-pairs", o.records_pairs,
                   "Groups of top-half runs (--events each): with records, with records written "
                   "but never read, without; beside the ratio of the medians, the median of each "
                   "group's ratio with its 95 % interval from 6 groups up")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  bench->final_callback([&o] { check_cpus(o.run); });
  return bench;
}

CLI::App* add_info_command(CLI::App& app, InfoOptions& o) {
  auto* info = app.add_subcommand("info", "Show what the loaded module offers");
  info->add_option("--device", o.device, "The module's device node")->capture_default_str();
  info->add_flag("--json", o.json,
                 "Print the catalogue (modes, sources, stages, limits) as JSON: the module's, or "
                 "the compiled-in table when the device is not there");
  info->add_flag("--compiled-in", o.compiled_in,
                 "The compiled-in catalogue as JSON, without opening the device");
  return info;
}

ReaderSettings wanted_reader(const RunShaping& o) {
  ReaderSettings r;
  if (o.sched == SchedPolicy::fifo) {
    r.policy = SchedPolicy::fifo;
    r.priority = o.priority;
    r.mlockall = true;
  }
  r.cpu = o.cpu;
  r.variant = std::string(variant_name(o.reader));
  return r;
}

std::string kernel_release() {
  utsname u{};
  return ::uname(&u) == 0 ? u.release : "unknown";
}

std::string accelerator() {
  std::ifstream cmdline("/proc/cmdline");
  std::string word;
  while (cmdline >> word)
    if (word.rfind("testbox.accel=", 0) == 0) return word.substr(14);
  return "unknown";
}

}  // namespace irqbridge::cli
