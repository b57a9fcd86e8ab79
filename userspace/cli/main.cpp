// irqbridge: runs the module's top half → bottom half → eventfd path and
// reports where the time goes, per mechanism.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "commands.hpp"
#include "irqbridge/abi/catalogue.hpp"
#include "irqbridge/abi/device.hpp"
#include "irqbridge/abi/modes.hpp"
#include "irqbridge/report/version.hpp"
#include "irqbridge/run/load.hpp"
#include "irqbridge/run/sweep.hpp"
#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/signal_cleanup.hpp"
#include "options.hpp"

namespace {

using namespace irqbridge;
using namespace irqbridge::cli;

// The catalogue as JSON: the module's when its device opens, else the
// compiled-in table ("from" says which).
int show_catalogue(const Options& o) {
  Catalogue catalogue = compiled_catalogue();
  if (!o.compiled_in) {
    try {
      Device device(o.device);
      if (auto reply = device.catalogue()) catalogue = module_catalogue(*reply);
    } catch (const Error& e) {
      std::fprintf(stderr, "irqbridge: %s: the compiled-in catalogue\n", e.what());
    }
  }
  fmt::print("{}\n", to_json(catalogue).dump(1));
  return 0;
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

int show_info(const Options& o) {
  if (o.info_json || o.compiled_in) return show_catalogue(o);
  Device device(o.device);
  const auto& info = device.info();
  std::string modes, sources;
  for (const auto& n : mode_names(info.modes)) modes += (modes.empty() ? "" : ", ") + n;
  for (const auto& n : source_names(info.sources)) sources += (sources.empty() ? "" : ", ") + n;
  fmt::print(
      "module version  {}\nABI version     {}\nring            {} records of {} bytes\n"
      "modes           {}\nsources         {}\n",
      module_version(info), info.abi_version, info.ring_records, info.record_size, modes, sources);
  return 0;
}

void add_modes_option(CLI::App* app, Options& o) {
  app->add_option("--modes", o.modes,
                  "Comma-separated modes (" + joined(compiled_catalogue().mode_names()) +
                      "), or 'all' the kernel supports")
      ->capture_default_str();
}

int cli_main(int argc, char** argv) {
  CLI::App app{
      "irqbridge: the Windows ISR -> DPC / WorkItem -> KeSetEvent pattern on Linux, measured.\n"
      "A hard-IRQ top half (the ISR at DIRQL) defers to a bottom half: a tasklet (the DPC, "
      "softirq = DISPATCH_LEVEL) or a work item (the WorkItem, task = PASSIVE_LEVEL), which "
      "signals an eventfd (KeSetEvent) this program waits on. cyclictest, when installed, is "
      "run first as the floor: timer expiry -> a user thread, the shortest path there is; "
      "then, where the kernel has the timerlat tracer, rtla timerlat: the kernel's own "
      "measurement of the same timer (IRQ and thread latency)."};
  app.set_version_flag("--version", std::string("irqbridge ") + irqbridge::version());
  app.require_subcommand(1);

  Options o;
  auto* run = app.add_subcommand("run", "Run one mode and print its latencies");
  run->add_option("--mode", o.mode, mode_help())->capture_default_str();
  add_run_options(run, o);
  add_single_rate_options(run, o);

  auto* compare = app.add_subcommand(
      "compare", "Run several modes back to back with the same settings, side by side");
  add_modes_option(compare, o);
  add_run_options(compare, o);
  add_single_rate_options(compare, o);

  auto* sweep = app.add_subcommand(
      "sweep",
      "Run each mode over a list of periods: where it starts coalescing, where records overrun, "
      "that fired == counted at every rate (JSON schema irqbridge.sweep/1)");
  add_modes_option(sweep, o);
  add_periods_option(sweep, o,
                     "Comma-separated periods in microseconds; a mode stops at the first one the "
                     "machine cannot keep up with");
  add_run_options(sweep, o);

  auto* bench = app.add_subcommand(
      "bench",
      "The benchmark's figures (JSON schema irqbridge.bench/1): the highest event rate each mode "
      "sustains (every event counted, no record lost, <1% of the periods skipped), the top half's "
      "cost with and without per-event records, the reader's CPU time per wake-up for each "
      "variant, and the reader's CPU time and memory with a reader per CPU on 1, 2 and all "
      "CPUs");
  add_modes_option(bench, o);
  add_periods_option(bench, o,
                     "Periods to search, slowest first; a mode stops at the first one not "
                     "sustained");
  add_run_options(bench, o);
  bench->add_flag("--scaling-only", o.scaling_only,
                  "Only the per-CPU cost (1, 2 and all CPUs), e.g. in a test box with more CPUs");
  bench
      ->add_flag("--costs-only", o.costs_only,
                 "Only the top half's cost with and without records and the readers' costs "
                 "(no rate search, no per-CPU runs)")
      ->excludes("--scaling-only");

  auto* info = app.add_subcommand("info", "Show what the loaded module offers");
  info->add_option("--device", o.device, "The module's device node")->capture_default_str();
  info->add_flag("--json", o.info_json,
                 "Print the catalogue (modes, sources, stages, limits) as JSON: the module's, or "
                 "the compiled-in table when the device is not there");
  info->add_flag("--compiled-in", o.compiled_in,
                 "The compiled-in catalogue as JSON, without opening the device");

  try {
    app.parse(argc, argv);
  } catch (const Error& e) {
    // The CLI's own validators (validators.hpp): their line, status 1.
    std::fprintf(stderr, "irqbridge: %s\n", e.what());
    return 1;
  } catch (const CLI::ParseError& e) {
    // --help and --version end here with their full text and status 0.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    // Bad usage: one line, status 2 (not CLI11's own codes, up to 1xx).
    const std::string what = e.what();
    std::fprintf(stderr, "irqbridge: %s\n", what.substr(0, what.find('\n')).c_str());
    return 2;
  }

  try {
    // A SIGINT or SIGTERM stops the module's timers, kills the load and
    // removes temporary files before the process dies of it.
    install_signal_cleanup();
    if (*info) return show_info(o);
    // Reject bad input before touching the device (--periods-us, --reader,
    // --load, --sched and --cpus with --cpu were checked while parsing).
    if (!*sweep && !*bench) period_ns(o);
    check_cpus(o);
    cpu_list(o);
    const std::string list = *run ? o.mode : o.modes;
    parse_mode_list(list, ~0U);
    // The load's children are forked before the device is opened: they
    // never hold it (and die with this process, SIGKILL included).
    const Load load(*bench ? LoadKind::none : o.load);
    Device device(o.device);
    const auto modes = parse_mode_list(list, device.info().modes);
    if (*sweep) return run_sweep(o, modes, device);
    if (*bench) return run_bench(o, modes, device);
    return run_compare(o, modes, device);
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
