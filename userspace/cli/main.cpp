// irqbridge: runs the module's top half → bottom half → eventfd path and
// reports where the time goes, per mechanism.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

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
int show_catalogue(const InfoOptions& o) {
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

int show_info(const InfoOptions& o) {
  if (o.json || o.compiled_in) return show_catalogue(o);
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

// A measuring command's start: the load started, then the device opened
// (the load's children are forked first: they never hold it, and die with
// this process, SIGKILL included), the mode list resolved against what the
// module offers ("all": those the source can run).
template <typename Command>
int measure(LoadKind load_kind, const RunShaping& run, const std::string& mode_list,
            Command command) {
  const Load load(load_kind);
  Device device(run.device);
  std::vector<const ModeInfo*> modes = parse_mode_list(mode_list, device.info().modes);
  if (mode_list == "all") modes = modes_for_source(modes, run.source, device);
  return command(modes, device);
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

  // Each subcommand fills its own options; only the one given is used.
  RunOptions run_opts;
  CompareOptions compare_opts;
  SweepOptions sweep_opts;
  BenchOptions bench_opts;
  InfoOptions info_opts;
  const auto* run = add_run_command(app, run_opts);
  const auto* compare = add_compare_command(app, compare_opts);
  const auto* sweep = add_sweep_command(app, sweep_opts);
  add_bench_command(app, bench_opts);  // the one left when no other was given
  const auto* info = add_info_command(app, info_opts);

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
    if (*info) return show_info(info_opts);
    // Every option was checked while parsing (lists, --period-us, --cpus,
    // --cpu, --warmup, ...): what is left needs the module.
    if (*run)
      return measure(run_opts.run.load, run_opts.run, run_opts.mode,
                     [&](const auto& modes, Device& device) {
                       return run_compare(run_opts.run, run_opts.rate, modes, device);
                     });
    if (*compare)
      return measure(compare_opts.run.load, compare_opts.run, compare_opts.modes,
                     [&](const auto& modes, Device& device) {
                       return run_compare(compare_opts.run, compare_opts.rate, modes, device);
                     });
    if (*sweep)
      return measure(
          sweep_opts.run.load, sweep_opts.run, sweep_opts.modes,
          [&](const auto& modes, Device& device) { return run_sweep(sweep_opts, modes, device); });
    // bench measures costs: no background load of its own.
    return measure(
        LoadKind::none, bench_opts.run, bench_opts.modes,
        [&](const auto& modes, Device& device) { return run_bench(bench_opts, modes, device); });
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
