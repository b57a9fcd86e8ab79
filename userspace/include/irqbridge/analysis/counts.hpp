// The counts of one run, or of runs summed: the module's counters, what
// the reader read, what both cost. One type from the session to every
// report (compare, sweep, bench). Pure logic.
#pragma once

#include <uapi/irqbridge.h>

#include <cstdint>

namespace irqbridge {

struct Counts {
  irqbridge_stats kernel{};         // the module's counters after STOP
  std::uint64_t reader_total = 0;   // sum of the eventfd reads
  std::uint64_t wakeups = 0;        // eventfd reads
  std::uint64_t ring_overruns = 0;  // the ring header's overrun counter
  std::uint64_t reader_cpu_ns = 0;  // reader thread CPU time (user + system)
  irqbridge_cost cost{};            // what the module's top halves cost
  std::uint64_t inexact_parts = 0;  // parts added with += that were not exact

  // Adds one run (or another sum): counters summed, max_batch and
  // top_ns_max the largest, error the first, size and running the last.
  Counts& operator+=(const Counts& part);

  // Every event fired was counted by a bottom half and read by the reader,
  // here and in every part summed in: parts can balance each other out.
  [[nodiscard]] bool exact() const {
    return inexact_parts == 0 && kernel.fired == kernel.counted && reader_total == kernel.counted;
  }
};

}  // namespace irqbridge
