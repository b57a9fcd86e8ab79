// Joins the module's per-event records with the reader's wake-ups and turns
// them into per-stage latency histograms, as the run goes: fixed memory, no
// matter how long the run. Pure logic.
#pragma once

#include <uapi/irqbridge.h>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "irqbridge/analysis/context.hpp"
#include "irqbridge/analysis/histogram.hpp"

namespace irqbridge {

// One eventfd read: the reader's total after it, and when it woke.
struct Wakeup {
  std::uint64_t cumulative;
  std::uint64_t user_ns;
};

enum class Stage : std::size_t {
  timer_to_top,      // expected expiry → top half
  top_to_bottom,     // top half → bottom half took the count
  bottom_to_user,    // bottom half → reader woke
  top_to_user,       // top half → reader woke
  timer_to_user,     // expected expiry → reader woke
  bottom_to_signal,  // bottom half took the count → eventfd signalled
  raise_to_top,      // the source raised the interrupt → top half
  bottom_to_chain,   // DPC → its work item (chain modes only)
  count_
};
inline constexpr std::size_t kStageCount = static_cast<std::size_t>(Stage::count_);

std::string_view stage_name(Stage stage);
// The four stages every report has, in display order.
inline constexpr std::array<Stage, 4> kMainStages = {Stage::timer_to_top, Stage::top_to_bottom,
                                                     Stage::bottom_to_user, Stage::top_to_user};
// What an outlier is broken into before its last hop to the reader, in
// order: Cause i (outliers.hpp) is stage i running late.
inline constexpr std::array<Stage, 3> kOutlierStages = {Stage::timer_to_top, Stage::top_to_bottom,
                                                        Stage::bottom_to_chain};
// The stages from the timer or the top half to the reader: the histograms.
inline constexpr std::array<Stage, 2> kUserStages = {Stage::timer_to_user, Stage::top_to_user};

// How long each stage of one event took, ns: what the histograms record and
// what an outlier is broken into (one definition for both).
struct StageDurations {
  std::array<std::int64_t, kStageCount> ns{};  // bottom_to_chain: 0 unless chain
  std::int64_t last_to_user = 0;  // the last bottom-half hop (chain: the work item) → reader
  [[nodiscard]] std::int64_t operator[](Stage s) const { return ns[static_cast<std::size_t>(s)]; }
};
// chain: the mode has two hops (DPC, then work item), whose second hop signals.
StageDurations stage_durations(const irqbridge_record& r, std::uint64_t user_ns, bool chain);

// One histogram per stage (heap: each is ~60 KB).
class StageHistograms {
 public:
  StageHistograms() : h_(std::make_unique<std::array<Histogram, kStageCount>>()) {}
  StageHistograms(const StageHistograms& other)
      : h_(std::make_unique<std::array<Histogram, kStageCount>>(*other.h_)) {}
  StageHistograms& operator=(const StageHistograms& other) {
    *h_ = *other.h_;
    return *this;
  }
  StageHistograms(StageHistograms&&) noexcept = default;
  StageHistograms& operator=(StageHistograms&&) noexcept = default;
  ~StageHistograms() = default;

  Histogram& operator[](Stage s) { return (*h_)[static_cast<std::size_t>(s)]; }
  const Histogram& operator[](Stage s) const { return (*h_)[static_cast<std::size_t>(s)]; }
  void merge(const StageHistograms& other) {
    for (std::size_t i = 0; i < kStageCount; i++) (*h_)[i].merge((*other.h_)[i]);
  }

 private:
  std::unique_ptr<std::array<Histogram, kStageCount>> h_;
};

struct Analysis {
  StageHistograms latency;
  std::uint64_t records = 0;
  std::uint64_t order_violations = 0;  // expected ≤ raise ≤ top ≤ bottom ≤ signal, bottom ≤ user
  std::uint64_t unattributed = 0;  // records whose seq no wake-up covered
  std::uint64_t seq_gaps = 0;      // records missing between first and last
  std::uint64_t warmup = 0;        // attributed records left out of the latencies
  // Records whose bottom half (first hop) / second hop ran on another CPU
  // than their top half: the cross-CPU effects of the mechanism.
  std::uint64_t bottom_cross_cpu = 0;
  std::uint64_t chain_cross_cpu = 0;
  ContextSummary top;
  ContextSummary bottom;
  ContextSummary chain;
};

// A record with seq s reached the reader at the first wake-up whose
// cumulative count is > s: the eventfd value counts events, and records may
// land in the ring after the wake-up that counted them. The analyzer keeps
// only what is still in flight: records no wake-up covers yet, and wake-ups
// a later record may still need.
class Analyzer {
 public:
  // Called for every attributed, ordered record with the wake-up time that
  // served it (raw samples, e.g. CSV), warm-up included.
  using EventSink = std::function<void(const irqbridge_record&, std::uint64_t user_ns)>;

  // chain: the mode has two hops (DPC, then work item). warmup: events with
  // seq < warmup are checked but not part of the latencies. with_records:
  // false for a count-only run (no records will come): wake-ups are then
  // counted by the caller and none is kept, so memory stays fixed however
  // many events.
  Analyzer(bool chain, std::uint64_t warmup, EventSink sink = {}, bool with_records = true);

  void add_wakeup(const Wakeup& wakeup);
  // Records in ring order (ascending seq).
  void add_records(std::span<const irqbridge_record> records);
  // The run is over: records no wake-up covered are unattributed.
  Analysis finish();

  // Records and wake-ups held right now (bounded by what is in flight).
  [[nodiscard]] std::size_t pending() const { return records_.size() + wakeups_.size(); }

 private:
  void drain();
  void attribute(const irqbridge_record& r, std::uint64_t user_ns);

  bool chain_;
  std::uint64_t warmup_;
  EventSink sink_;
  bool with_records_;
  Analysis a_;
  std::deque<irqbridge_record> records_;
  std::deque<Wakeup> wakeups_;
  bool have_prev_ = false;
  std::uint64_t prev_seq_ = 0;
};

// The whole run at once (tests, tools): wake-ups in reading order, records
// in ring order.
Analysis analyze(std::span<const irqbridge_record> records, std::span<const Wakeup> wakeups,
                 bool chain, std::uint64_t warmup = 0);

}  // namespace irqbridge
