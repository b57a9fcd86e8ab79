// irqbridge sweep.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "irqbridge/run/load.hpp"
#include "irqbridge/run/session.hpp"
#include "irqbridge/run/sweep.hpp"
#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/reader_setup.hpp"

namespace irqbridge::cli {

SweepPoint run_point(Device& device, const RunShaping& o, const ModeInfo& mode,
                     std::uint64_t period_ns, Progress& progress, Records records) {
  RunSettings s = run_settings(o, mode, period_ns);
  s.records = records;
  s.label = fmt::format("{} @{:g}us", mode.name, static_cast<double>(period_ns) / 1000.0);
  try {
    std::vector<RunResult> run;
    run.push_back(run_once(device, s, progress));
    return sweep_point(
        pool_runs(std::string(mode.name), std::string(s.source->name), mode.chain, std::move(run)),
        period_ns);
  } catch (const FatalError&) {
    throw;  // not a point that failed: the command cannot go on
  } catch (const Error& e) {
    progress.end();
    SweepPoint failed;
    failed.mode = mode.name;
    failed.source = s.source->name;
    failed.period_ns = period_ns;
    failed.error = e.what();
    failed.kernel = device.stats();
    return failed;
  }
}

int run_sweep(const SweepOptions& o, const std::vector<const ModeInfo*>& modes, Device& device) {
  check_modes(o.run, {}, modes, device);
  const std::vector<std::uint64_t>& periods = o.periods_ns;

  SweepReport report;
  report.kernel = kernel_release();
  report.module_version = module_version(device.info());
  report.events = o.run.events;
  report.cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  report.accel = accelerator();
  report.load = std::string(load_name(o.run.load));
  report.reader = apply_reader_settings(wanted_reader(o.run));

  Progress progress(!o.run.quiet);
  for (const ModeInfo* m : modes) {
    for (std::uint64_t period : periods) {
      report.points.push_back(run_point(device, o.run, *m, period, progress));
      // The guest could not keep up at this rate: spare it the faster ones.
      if (!report.points.back().error.empty()) break;
    }
  }

  std::fputs(format_table(report).c_str(), stdout);
  if (!o.run.json.empty()) {
    std::ofstream out(o.run.json);
    out << dump_json(to_json(report)) << '\n';
    if (!out) throw Error("cannot write " + o.run.json);
  }
  int rc = 0;
  for (const auto& p : report.points) {
    // A failed point was stopped early, but STOP flushes: still exact.
    const bool lost = p.error.empty() ? !p.exact() : p.kernel.fired != p.kernel.counted;
    if (lost) {
      std::fprintf(stderr, "irqbridge: %s at %g us lost count: fired %llu, counted %llu\n",
                   p.mode.c_str(), static_cast<double>(p.period_ns) / 1000.0,
                   static_cast<unsigned long long>(p.kernel.fired),
                   static_cast<unsigned long long>(p.kernel.counted));
      rc = kExitMismatch;
    }
  }
  return rc;
}

}  // namespace irqbridge::cli
