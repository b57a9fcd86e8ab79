#include "irqbridge/analysis/counts.hpp"

#include <algorithm>

namespace irqbridge {

Counts& Counts::operator+=(const Counts& part) {
  irqbridge_stats& k = kernel;
  const irqbridge_stats& p = part.kernel;
  k.size = p.size;
  k.running = p.running;
  k.fired += p.fired;
  k.counted += p.counted;
  k.bottom_runs += p.bottom_runs;
  k.timer_overruns += p.timer_overruns;
  k.records += p.records;
  k.records_lost += p.records_lost;
  k.max_batch = std::max(k.max_batch, p.max_batch);
  k.raised += p.raised;
  k.source_busy += p.source_busy;
  k.chain_runs += p.chain_runs;
  k.empty_runs += p.empty_runs;
  k.work_capped += p.work_capped;
  k.throttled += p.throttled;
  if (k.error == 0) k.error = p.error;
  k.line_held += p.line_held;
  k.line_redelivered += p.line_redelivered;
  k.thread_masked += p.thread_masked;
  k.thread_unmasked += p.thread_unmasked;
  k.last_status = p.last_status;

  reader_total += part.reader_total;
  wakeups += part.wakeups;
  ring_overruns += part.ring_overruns;
  reader_cpu_ns += part.reader_cpu_ns;
  cost.top_halves += part.cost.top_halves;
  cost.top_ns_total += part.cost.top_ns_total;
  cost.top_ns_max = std::max(cost.top_ns_max, part.cost.top_ns_max);
  if (!part.exact()) inexact_parts += std::max<std::uint64_t>(part.inexact_parts, 1);
  return *this;
}

}  // namespace irqbridge
