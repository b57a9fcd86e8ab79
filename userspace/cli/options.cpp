#include "options.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "irqbridge/abi/catalogue.hpp"
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

}  // namespace

void add_run_options(CLI::App* app, Options& o) {
  app->add_option("--events", o.events, "Top halves per mode and run (timer interrupts)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{IRQBRIDGE_EVENTS_MAX}))
      ->capture_default_str();
  const Catalogue catalogue = compiled_catalogue();
  std::string sources;
  for (const auto& src : catalogue.sources)
    sources += (sources.empty() ? "" : ", ") + src.name + " (" + src.description + ")";
  app->add_option("--source", o.source, "Interrupt source: " + sources)
      ->check(CLI::IsMember(catalogue.source_names()))
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

void add_single_rate_options(CLI::App* app, Options& o) {
  app->add_option("--period-us", o.period_us,
                  "Timer period in microseconds (10 .. 1000000; fractions allowed)")
      ->capture_default_str();
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
  app->add_option("--cpus", o.cpus,
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

std::uint64_t period_ns(const Options& o) {
  const double ns = std::round(o.period_us * 1000.0);
  if (!(ns >= static_cast<double>(IRQBRIDGE_PERIOD_MIN_NS)) ||
      ns > static_cast<double>(IRQBRIDGE_PERIOD_MAX_NS))
    throw Error(fmt::format("--period-us {} is outside {} .. {} us", o.period_us,
                            IRQBRIDGE_PERIOD_MIN_NS / 1000, IRQBRIDGE_PERIOD_MAX_NS / 1000));
  return static_cast<std::uint64_t>(ns);
}

void add_periods_option(CLI::App* app, Options& o, const std::string& help) {
  // Parsed once, here: an empty item ("100,") is refused, which CLI11's
  // delimiter would drop.
  app->add_option_function<std::string>(
         "--periods-us", [&o](const std::string& list) { o.periods_ns = parse_periods_us(list); },
         help)
      ->default_str(kDefaultPeriodsUs);
}

void check_cpus(const Options& o) {
  const std::vector<int>& usable = process_cpus();
  for (auto [name, cpu] : {std::pair{"--cpu", o.cpu}, std::pair{"--timer-cpu", o.timer_cpu}})
    if (cpu != -1 && std::find(usable.begin(), usable.end(), cpu) == usable.end())
      throw Error(fmt::format("{} {}: this process may run on CPUs {}", name, cpu,
                              format_cpu_list(usable)));
  if (o.warmup >= o.events)
    throw Error(
        fmt::format("--warmup {} leaves none of --events {}: make it smaller", o.warmup, o.events));
}

std::vector<int> cpu_list(const Options& o) {
  if (o.cpus.empty()) return {};
  return parse_cpu_list(o.cpus, process_cpus());
}

ReaderSettings wanted_reader(const Options& o) {
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
