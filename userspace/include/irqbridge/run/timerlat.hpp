// The kernel's own measurement of a timer's latency, a second floor beside
// cyclictest: the timerlat tracer (CONFIG_TIMERLAT_TRACER) driven by
// Debian's rtla. Each period the tracer arms an hrtimer per CPU and records
// how late its hard-IRQ callback ran (IRQ latency: what irqbridge's
// timer_to_top measures) and how late its thread woke (thread latency: what
// cyclictest measures). Parsing rtla's output, choosing its arguments and
// reading the kernel's tracer list are pure logic; running it is in
// timerlat_runner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irqbridge/analysis/histogram.hpp"

namespace irqbridge {

// How rtla timerlat is run (all recorded in the report).
struct TimerlatSettings {
  std::uint64_t duration_s = 1;    // rtla's -d is whole seconds
  std::uint64_t period_us = 1000;  // -p
  int priority = 0;                // 0: SCHED_OTHER (-P o:0), else SCHED_FIFO (-P f:N)
  std::vector<int> cpus;           // -c LIST; empty: every CPU
  std::uint64_t entries = 20000;   // -E: histogram bins of bucket_us each
  std::uint64_t bucket_us = 1;     // -b
  int dma_latency_us = 0;          // --dma-latency, as cyclictest sets it
};

// One side (IRQ or thread) pooled over every CPU rtla reported.
struct TimerlatSide {
  std::uint64_t samples = 0;    // rtla's count: rows
  std::uint64_t overflows = 0;  // samples beyond the histogram, recorded at its max
  Histogram histogram;          // ns, each bin at its upper edge
};

struct TimerlatResult {
  std::vector<int> cpus;  // the CPUs with a column in rtla's output
  TimerlatSide irq;
  TimerlatSide thread;
};

// A timerlat run as the report keeps it: the settings always, the result
// only when available.
struct Timerlat {
  bool available = false;
  std::string reason = "not run";  // why there is no result
  std::string command;             // how rtla was (or would have been) run
  TimerlatSettings settings;
  TimerlatResult result;
};

// Reads the text `rtla timerlat hist` prints (rtla 6.1 to 7.x): "#"
// comments (one names the time unit, microseconds or nanoseconds), an
// "Index IRQ-000 Thr-000 ..." header (Usr-NNN columns, user-space threads,
// are read and left out), rows "VALUE COUNT...", then over:, count:, min:,
// avg: and max: rows; anything after max: (newer rtla's ALL: block) is not
// read. bucket is rtla's -b, in the output's unit: bin VALUE holds
// [VALUE, VALUE + bucket) and is recorded at its upper edge in ns, as the
// cyclictest floor and the modes' quantiles are. A CPU's samples beyond the
// histogram (over:) are recorded at its max:. Throws Error (never another
// exception type) on anything malformed: no header, an unknown column, a
// row with the wrong number of fields, a field that is not a whole number,
// counts that do not add up (count != histogram + over), no sample at all.
TimerlatResult parse_timerlat_hist(std::string_view text, std::uint64_t bucket = 1);

// Why the kernel cannot run timerlat, from the contents of tracefs's
// available_tracers (nullopt: the file could not be read); nullopt when
// it can.
std::optional<std::string> timerlat_missing_reason(const std::optional<std::string>& tracers);

// rtla's argument list for these settings ("rtla", "timerlat", "hist", ...).
std::vector<std::string> timerlat_args(const TimerlatSettings& s);

// Seconds rtla must run to take about `loops` samples per CPU at
// period_us (at least 1).
std::uint64_t timerlat_duration_s(std::uint64_t loops, std::uint64_t period_us);

}  // namespace irqbridge
