// Scheduling of the reader thread: policy, priority, memory locking, CPU.
#pragma once

#include "irqbridge/report.hpp"

namespace irqbridge {

// Applies the settings to the calling thread; throws Error if the kernel
// refuses (the user asked for them). Returns what is in effect.
ReaderSettings apply_reader_settings(const ReaderSettings& wanted);

}  // namespace irqbridge
