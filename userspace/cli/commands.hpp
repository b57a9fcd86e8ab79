// The measuring subcommands of the CLI.
#pragma once

#include <vector>

#include "irqbridge/device.hpp"
#include "irqbridge/modes.hpp"
#include "options.hpp"

namespace irqbridge::cli {

inline constexpr int kExitMismatch = 3;  // a count was lost: fired != counted

// Refuses, before anything runs, a mode that may not sleep asked to sleep
// and a source the machine does not have.
void check_modes(const Options& o, const std::vector<const ModeInfo*>& modes,
                 const Device& device);

// run / compare: each mode (repeated), the cyclictest floor, one report.
int run_compare(const Options& o, const std::vector<const ModeInfo*>& modes, Device& device);
// sweep: each mode at each period.
int run_sweep(const Options& o, const std::vector<const ModeInfo*>& modes, Device& device);

}  // namespace irqbridge::cli
