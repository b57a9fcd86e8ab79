// The measuring subcommands of the CLI.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "irqbridge/abi/device.hpp"
#include "irqbridge/abi/modes.hpp"
#include "irqbridge/report/progress.hpp"
#include "irqbridge/run/session.hpp"
#include "irqbridge/run/sweep.hpp"
#include "options.hpp"

namespace irqbridge::cli {

inline constexpr int kExitMismatch = 3;  // a count was lost: fired != counted

// Refuses, before anything runs, a mode that may not sleep asked to sleep
// and a source the machine does not have (cpus: --cpus, empty without).
void check_modes(const RunShaping& o, std::span<const int> cpus,
                 const std::vector<const ModeInfo*>& modes, const Device& device);

// "--modes all" on a source: every mode but those the source cannot run
// (threaded on timer_soft, which has no interrupt), named on stderr.
std::vector<const ModeInfo*> modes_for_source(const std::vector<const ModeInfo*>& modes,
                                              const std::string& source, const Device& device);

// run / compare: each mode (repeated), the cyclictest floor, one report.
int run_compare(const RunShaping& o, const SingleRate& rate,
                const std::vector<const ModeInfo*>& modes, Device& device);
// The settings of one run of mode at period_ns, from the options (warm-up,
// outliers and threshold at their defaults: run_compare sets its own).
RunSettings run_settings(const RunShaping& o, const ModeInfo& mode, std::uint64_t period_ns);

// One run of a mode at a period with the options' other settings; a run
// that fails (the machine cannot keep up) is a point with its error.
SweepPoint run_point(Device& device, const RunShaping& o, const ModeInfo& mode,
                     std::uint64_t period_ns, Progress& progress, Records records = Records::kRead);
// sweep: each mode at each period.
int run_sweep(const SweepOptions& o, const std::vector<const ModeInfo*>& modes, Device& device);
// bench: highest sustained rate per mode, top-half cost, reader cost.
int run_bench(const BenchOptions& o, const std::vector<const ModeInfo*>& modes, Device& device);

}  // namespace irqbridge::cli
