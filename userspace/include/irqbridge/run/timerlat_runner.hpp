// Runs rtla timerlat (Debian's rtla) as the second floor of a comparison.
#pragma once

#include <optional>
#include <string>

#include "irqbridge/run/timerlat.hpp"

namespace irqbridge {

// Runs `rtla timerlat hist` with these settings and parses its output.
// Never throws: a kernel without the tracer (tracefs's available_tracers
// read first), a missing rtla, an rtla that fails or prints something
// unreadable each give a Timerlat that says why it is not available.
Timerlat run_timerlat(const TimerlatSettings& settings);

}  // namespace irqbridge
