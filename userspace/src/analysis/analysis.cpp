#include "irqbridge/analysis/analysis.hpp"

#include <utility>

namespace irqbridge {

std::string_view stage_name(Stage stage) {
  switch (stage) {
    case Stage::timer_to_top:
      return "timer_to_top";
    case Stage::top_to_bottom:
      return "top_to_bottom";
    case Stage::bottom_to_user:
      return "bottom_to_user";
    case Stage::top_to_user:
      return "top_to_user";
    case Stage::timer_to_user:
      return "timer_to_user";
    case Stage::bottom_to_signal:
      return "bottom_to_signal";
    case Stage::raise_to_top:
      return "raise_to_top";
    case Stage::bottom_to_chain:
      return "bottom_to_chain";
    case Stage::count_:
      break;
  }
  return "?";
}

namespace {

std::int64_t diff(std::uint64_t later, std::uint64_t earlier) {
  return static_cast<std::int64_t>(later - earlier);
}

}  // namespace

Analyzer::Analyzer(bool chain, std::uint64_t warmup, EventSink sink, bool with_records)
    : chain_(chain), warmup_(warmup), sink_(std::move(sink)), with_records_(with_records) {}

void Analyzer::add_wakeup(const Wakeup& wakeup) {
  if (!with_records_) return;  // no record will ever need it
  wakeups_.push_back(wakeup);
  drain();
}

void Analyzer::add_records(std::span<const irqbridge_record> records) {
  for (const auto& r : records) {
    a_.records++;
    if (have_prev_ && r.seq > prev_seq_ + 1) a_.seq_gaps += r.seq - prev_seq_ - 1;
    prev_seq_ = r.seq;
    have_prev_ = true;
    a_.top.add(r.top);
    a_.bottom.add(r.bottom);
    if (r.bottom.cpu != r.top.cpu) a_.bottom_cross_cpu++;
    if (chain_) {
      a_.chain.add(r.chain);
      if (r.chain.cpu != r.top.cpu) a_.chain_cross_cpu++;
    }
    records_.push_back(r);
  }
  drain();
}

// Records ascend by seq, so a wake-up that does not cover the oldest
// waiting record covers no later one either: it can go.
void Analyzer::drain() {
  while (!records_.empty()) {
    const irqbridge_record& r = records_.front();
    while (!wakeups_.empty() && wakeups_.front().cumulative <= r.seq) wakeups_.pop_front();
    if (wakeups_.empty()) return;  // the wake-up that counted r is still to come
    attribute(r, wakeups_.front().user_ns);
    records_.pop_front();
  }
}

void Analyzer::attribute(const irqbridge_record& r, std::uint64_t user) {
  bool ordered = r.expected_ns <= r.raise_ns && r.raise_ns <= r.top_ns && r.top_ns <= r.bottom_ns &&
                 r.bottom_ns <= r.signal_ns && r.bottom_ns <= user;
  if (chain_) ordered = ordered && r.bottom_ns <= r.chain_ns && r.chain_ns <= r.signal_ns;
  if (!ordered) {
    a_.order_violations++;
    return;
  }
  if (sink_) sink_(r, user);
  if (r.seq < warmup_) {
    a_.warmup++;
    return;
  }
  const std::uint64_t last_bottom = chain_ ? r.chain_ns : r.bottom_ns;
  StageHistograms& h = a_.latency;
  h[Stage::timer_to_top].record(diff(r.top_ns, r.expected_ns));
  h[Stage::top_to_bottom].record(diff(r.bottom_ns, r.top_ns));
  h[Stage::bottom_to_user].record(diff(user, r.bottom_ns));
  h[Stage::top_to_user].record(diff(user, r.top_ns));
  h[Stage::timer_to_user].record(diff(user, r.expected_ns));
  h[Stage::bottom_to_signal].record(diff(r.signal_ns, last_bottom));
  h[Stage::raise_to_top].record(diff(r.top_ns, r.raise_ns));
  if (chain_) h[Stage::bottom_to_chain].record(diff(r.chain_ns, r.bottom_ns));
}

Analysis Analyzer::finish() {
  drain();
  a_.unattributed += records_.size();
  records_.clear();
  wakeups_.clear();
  return std::move(a_);
}

Analysis analyze(std::span<const irqbridge_record> records, std::span<const Wakeup> wakeups,
                 bool chain, std::uint64_t warmup) {
  Analyzer analyzer(chain, warmup);
  for (const Wakeup& w : wakeups) analyzer.add_wakeup(w);
  analyzer.add_records(records);
  return analyzer.finish();
}

}  // namespace irqbridge
