#include "irqbridge/analysis/outliers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace irqbridge {

std::string_view cause_name(Cause c) {
  switch (c) {
    case Cause::timer_late:
      return "timer late";
    case Cause::bottom_deferred:
      return "bottom half deferred";
    case Cause::chain_deferred:
      return "work item deferred";
    case Cause::reader_late:
      return "reader late";
  }
  return "?";
}

std::int64_t cause_ns(const Outlier& o, Cause c) {
  const auto i = static_cast<std::size_t>(c);
  return i < o.stages_ns.size() ? o.stages_ns[i] : o.to_user;
}

namespace {

double us(std::int64_t ns) { return static_cast<double>(ns) / 1000.0; }

bool longer(const Outlier& a, const Outlier& b) { return a.timer_to_user > b.timer_to_user; }

std::string why(const Outlier& o) {
  switch (o.cause) {
    case Cause::timer_late:
      return fmt::format(
          "the top half ran {:.1f} us after the expiry (interrupts off or the CPU not running)",
          us(cause_ns(o, o.cause)));
    case Cause::bottom_deferred:
      if (o.bottom_flags & IRQBRIDGE_CTX_KSOFTIRQD)
        return fmt::format("the softirq ran {:.1f} us after the top half, in ksoftirqd/{}",
                           us(cause_ns(o, o.cause)), o.bottom_cpu);
      if (o.bottom_flags & IRQBRIDGE_CTX_SOFTIRQ)
        return fmt::format("the softirq ran {:.1f} us after the top half, on CPU {}",
                           us(cause_ns(o, o.cause)), o.bottom_cpu);
      return fmt::format("the bottom half's task ran {:.1f} us after the top half, on CPU {}{}",
                         us(cause_ns(o, o.cause)), o.bottom_cpu,
                         o.bottom_cpu != o.top_cpu
                             ? fmt::format(" (the interrupt was on CPU {})", o.top_cpu)
                             : std::string());
    case Cause::chain_deferred:
      return fmt::format("the work item ran {:.1f} us after the DPC", us(cause_ns(o, o.cause)));
    case Cause::reader_late:
      return fmt::format("the reader woke {:.1f} us after the eventfd was signalled{}",
                         us(cause_ns(o, o.cause)),
                         o.batch > 1 ? fmt::format(" (a batch of {})", o.batch) : std::string());
  }
  return "";
}

}  // namespace

Outlier explain(unsigned run, const irqbridge_record& r, std::uint64_t user_ns, bool chain) {
  Outlier o;
  o.run = run;
  o.seq = r.seq;
  const StageDurations d = stage_durations(r, user_ns, chain);
  o.timer_to_user = d[Stage::timer_to_user];
  for (std::size_t i = 0; i < kOutlierStages.size(); i++) o.stages_ns[i] = d[kOutlierStages[i]];
  o.to_user = d.last_to_user;
  o.top_cpu = r.top.cpu;
  o.bottom_cpu = r.bottom.cpu;
  o.bottom_flags = r.bottom.flags;
  o.batch = r.batch;

  // The longest stage is the cause (the first of equal ones).
  o.cause = Cause::timer_late;
  for (Cause c : {Cause::bottom_deferred, Cause::chain_deferred, Cause::reader_late})
    if (cause_ns(o, c) > cause_ns(o, o.cause)) o.cause = c;
  o.why = why(o);
  return o;
}

OutlierTracker::OutlierTracker(std::size_t worst, std::int64_t threshold_ns, std::uint64_t warmup,
                               bool chain)
    : n_(worst), threshold_(threshold_ns), warmup_(warmup), chain_(chain) {}

void OutlierTracker::keep(Outlier o) {
  if (threshold_ > 0 && o.timer_to_user > threshold_) {
    above_count_++;
    if (above_.size() < kThresholdCap) above_.push_back(o);
  }
  if (n_ == 0) return;
  if (heap_.size() < n_) {
    heap_.push_back(std::move(o));
    std::push_heap(heap_.begin(), heap_.end(), longer);
  } else if (o.timer_to_user > heap_.front().timer_to_user) {
    std::pop_heap(heap_.begin(), heap_.end(), longer);
    heap_.back() = std::move(o);
    std::push_heap(heap_.begin(), heap_.end(), longer);
  }
}

void OutlierTracker::add(unsigned run, const irqbridge_record& r, std::uint64_t user_ns) {
  if (r.seq < warmup_) return;
  // Cheap rejection first: most events are neither worst nor above.
  const auto total = static_cast<std::int64_t>(user_ns - r.expected_ns);
  const bool candidate = n_ != 0 && (heap_.size() < n_ || total > heap_.front().timer_to_user);
  if (!candidate && !(threshold_ > 0 && total > threshold_)) return;
  keep(explain(run, r, user_ns, chain_));
}

void OutlierTracker::merge(const OutlierTracker& other) {
  for (const Outlier& o : other.heap_) {
    // Counted above the threshold by the other tracker already.
    const std::int64_t saved = threshold_;
    threshold_ = 0;
    keep(o);
    threshold_ = saved;
  }
  above_count_ += other.above_count_;
  for (const Outlier& o : other.above_)
    if (above_.size() < kThresholdCap) above_.push_back(o);
}

std::vector<Outlier> OutlierTracker::worst() const {
  std::vector<Outlier> out = heap_;
  std::sort(out.begin(), out.end(), longer);
  return out;
}

}  // namespace irqbridge
