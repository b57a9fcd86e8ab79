// irqbridge: runs the module's top half → bottom half → eventfd path and
// reports where the time goes, per mechanism.
#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "irqbridge/device.hpp"
#include "irqbridge/error.hpp"
#include "irqbridge/modes.hpp"
#include "irqbridge/reader_setup.hpp"
#include "irqbridge/report.hpp"
#include "irqbridge/session.hpp"

namespace {

using namespace irqbridge;

constexpr int kExitMismatch = 3;

struct Options {
  std::string device = "/dev/irqbridge";
  std::string mode = "tasklet";
  std::string modes = "tasklet,workqueue";
  std::string source = "timer";
  std::uint64_t events = 1000;
  double period_us = 1000;
  std::uint32_t work_ns = 0;
  std::uint32_t sleep_us = 0;
  std::string json;
  std::string sched = "fifo";
  int priority = 80;
  int cpu = -1;
  bool quiet = false;
};

std::string kernel_release() {
  utsname u{};
  return ::uname(&u) == 0 ? u.release : "unknown";
}

// The test box tells the guest how QEMU runs it on the kernel command line.
std::string accelerator() {
  std::ifstream cmdline("/proc/cmdline");
  std::string word;
  while (cmdline >> word)
    if (word.rfind("testbox.accel=", 0) == 0) return word.substr(14);
  return "unknown";
}

std::uint64_t period_ns(const Options& o) {
  const double ns = std::round(o.period_us * 1000.0);
  if (!(ns >= static_cast<double>(IRQBRIDGE_PERIOD_MIN_NS)) ||
      ns > static_cast<double>(IRQBRIDGE_PERIOD_MAX_NS))
    throw Error(fmt::format("--period-us {} is outside {} .. {} us", o.period_us,
                            IRQBRIDGE_PERIOD_MIN_NS / 1000, IRQBRIDGE_PERIOD_MAX_NS / 1000));
  return static_cast<std::uint64_t>(ns);
}

void add_common(CLI::App* app, Options& o) {
  app->add_option("--events", o.events, "Top halves per mode (timer interrupts)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{IRQBRIDGE_EVENTS_MAX}))
      ->capture_default_str();
  app->add_option("--period-us", o.period_us,
                  "Timer period in microseconds (10 .. 1000000; fractions allowed)")
      ->capture_default_str();
  app->add_option("--source", o.source,
                  "Interrupt source: timer (the hrtimer callback is the ISR), irqchip (the "
                  "hrtimer raises the module's own irq_chip interrupt), edu (QEMU's edu PCI "
                  "device interrupts via MSI)")
      ->check(CLI::IsMember({"timer", "irqchip", "edu"}))
      ->capture_default_str();
  app->add_option("--work-ns", o.work_ns,
                  "Busy work per event in the bottom half that signals (any mode)")
      ->check(CLI::Range(0U, IRQBRIDGE_WORK_MAX_NS));
  app->add_option("--sleep-us", o.sleep_us,
                  "Sleep per bottom-half run: only where it may sleep (PASSIVE_LEVEL modes); "
                  "refused for tasklets and BH workqueues")
      ->check(CLI::Range(0U, IRQBRIDGE_SLEEP_MAX_US));
  app->add_option("--json", o.json, "Write the report (schema irqbridge.compare/1) to this file");
  app->add_option("--sched", o.sched,
                  "Reader scheduling: fifo (SCHED_FIFO + mlockall) or other (a normal task)")
      ->check(CLI::IsMember({"fifo", "other"}))
      ->capture_default_str();
  app->add_option("--priority", o.priority, "SCHED_FIFO priority of the reader")
      ->check(CLI::Range(1, 99))
      ->capture_default_str();
  app->add_option("--cpu", o.cpu, "Pin the reader to this CPU (default: not pinned)");
  app->add_option("--device", o.device, "The module's device node")->capture_default_str();
  app->add_flag("--quiet", o.quiet, "No progress line");
}

ReaderSettings wanted_reader(const Options& o) {
  ReaderSettings r;
  if (o.sched == "fifo") {
    r.policy = "SCHED_FIFO";
    r.priority = o.priority;
    r.mlockall = true;
  }
  r.cpu = o.cpu;
  return r;
}

int run_modes(const Options& o, const std::vector<const ModeInfo*>& modes, Device& device) {
  const SourceInfo* source = find_source(o.source);
  if (source == nullptr) throw Error("unknown source '" + o.source + "'");
  for (const ModeInfo* m : modes) {
    if (o.sleep_us != 0 && !m->may_sleep)
      throw Error(fmt::format(
          "mode {} runs its bottom half in softirq context (DISPATCH_LEVEL) and may not "
          "sleep: drop --sleep-us or pick a task-context mode",
          m->name));
    const SourceInfo& eff = effective_source(*m, *source);
    if (!(device.info().sources & (1U << eff.id)))
      throw Error(fmt::format("source {} is not present (edu needs QEMU's -device edu)", eff.name));
  }

  Report report;
  report.kernel = kernel_release();
  report.module_version = device.info().module_version;
  report.period_ns = period_ns(o);
  report.events = o.events;
  report.work_ns = o.work_ns;
  report.sleep_us = o.sleep_us;
  report.requested_source = o.source;
  report.cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  report.accel = accelerator();
  report.reader = apply_reader_settings(wanted_reader(o));

  Progress progress(!o.quiet);
  for (const ModeInfo* m : modes) {
    RunSettings s;
    s.mode = m;
    s.source = &effective_source(*m, *source);
    s.period_ns = report.period_ns;
    s.events = o.events;
    s.work_ns = o.work_ns;
    s.sleep_us = o.sleep_us;
    report.modes.push_back(run_mode(device, s, progress));
  }

  std::fputs(format_table(report).c_str(), stdout);
  if (!o.json.empty()) {
    std::ofstream out(o.json);
    out << to_json(report).dump(2) << '\n';
    if (!out) throw Error("cannot write " + o.json);
  }
  for (const auto& m : report.modes) {
    if (!m.exact()) {
      std::fprintf(stderr, "irqbridge: %s lost count: fired %llu, counted %llu, reader read %llu\n",
                   m.mode.c_str(), static_cast<unsigned long long>(m.kernel.fired),
                   static_cast<unsigned long long>(m.kernel.counted),
                   static_cast<unsigned long long>(m.reader_total));
      return kExitMismatch;
    }
  }
  return 0;
}

int show_info(const Options& o) {
  Device device(o.device);
  const auto& info = device.info();
  std::string modes, sources;
  for (const auto& n : mode_names(info.modes)) modes += (modes.empty() ? "" : ", ") + n;
  for (const auto& n : source_names(info.sources)) sources += (sources.empty() ? "" : ", ") + n;
  fmt::print(
      "module version  {}\nABI version     {}\nring            {} records of {} bytes\n"
      "modes           {}\nsources         {}\n",
      info.module_version, info.abi_version, info.ring_records, info.record_size, modes, sources);
  return 0;
}

int cli_main(int argc, char** argv) {
  CLI::App app{
      "irqbridge: the Windows ISR -> DPC / WorkItem -> KeSetEvent pattern on Linux, measured.\n"
      "A hard-IRQ top half (the ISR at DIRQL) defers to a bottom half: a tasklet (the DPC, "
      "softirq = DISPATCH_LEVEL) or a work item (the WorkItem, task = PASSIVE_LEVEL), which "
      "signals an eventfd (KeSetEvent) this program waits on with io_uring."};
  app.set_version_flag("--version", std::string("irqbridge ") + IRQBRIDGE_VERSION);
  app.require_subcommand(1);

  Options o;
  auto* run = app.add_subcommand("run", "Run one mode and print its latencies");
  run->add_option("--mode", o.mode,
                  "Bottom half: tasklet, workqueue, tasklet_hi, wq_highpri, wq_unbound, bh_wq, "
                  "threaded, dpc_workitem")
      ->capture_default_str();
  add_common(run, o);

  auto* compare = app.add_subcommand(
      "compare", "Run several modes back to back with the same settings, side by side");
  compare->add_option("--modes", o.modes, "Comma-separated modes, or 'all' the kernel supports")
      ->capture_default_str();
  add_common(compare, o);

  auto* info = app.add_subcommand("info", "Show what the loaded module offers");
  info->add_option("--device", o.device, "The module's device node")->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  try {
    if (*info) return show_info(o);
    // Reject bad input before touching the device.
    period_ns(o);
    if (*run && find_mode(o.mode) == nullptr) throw Error("unknown mode '" + o.mode + "'");
    parse_mode_list(*run ? o.mode : o.modes, ~0U);
    Device device(o.device);
    const std::string list = *run ? o.mode : o.modes;
    return run_modes(o, parse_mode_list(list, device.info().modes), device);
  } catch (const Error& e) {
    std::fprintf(stderr, "irqbridge: %s\n", e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return cli_main(argc, argv);
  } catch (const std::exception& e) {
    // Not an irqbridge::Error: a bug or an exhausted resource, still one line.
    std::fprintf(stderr, "irqbridge: internal error: %s\n", e.what());
    return 1;
  }
}
