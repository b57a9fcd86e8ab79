// Scheduling of the reader thread: policy, priority, memory locking, CPU.
#pragma once

#include <vector>

#include "irqbridge/report/report.hpp"

namespace irqbridge {

// Applies the settings to the calling thread; throws Error if the kernel
// refuses (the user asked for them). Returns what is in effect.
ReaderSettings apply_reader_settings(const ReaderSettings& wanted);

// The CPUs this process may run on: its affinity mask at the first call
// (online CPUs of its cpuset), ascending. The CLI calls it before pinning
// anything; later calls return the same set. Never empty.
const std::vector<int>& process_cpus();

}  // namespace irqbridge
