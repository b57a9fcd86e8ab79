// The worst events of a run, each broken into its stages with the stage
// that dominates named in plain words: timer late, bottom half deferred,
// reader late. Pure logic, fed event by event (fixed memory).
#pragma once

#include <uapi/irqbridge.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "irqbridge/analysis/analysis.hpp"

namespace irqbridge {

// In the order of kOutlierStages (analysis.hpp), whose stage i each of the
// first three is about; reader_late is about the last hop (to_user).
enum class Cause {
  timer_late,       // expiry → top half: interrupts off, or the (v)CPU not running
  bottom_deferred,  // top half → bottom half: softirq deferred or work item waiting
  chain_deferred,   // DPC → its work item (chain modes)
  reader_late,      // bottom half → reader: the reader was not scheduled sooner
};
std::string_view cause_name(Cause c);

struct Outlier {
  unsigned run = 0;
  std::uint64_t seq = 0;
  std::int64_t timer_to_user = 0;  // the whole path
  // kOutlierStages' durations (bottom_to_chain: 0 unless a chain mode).
  std::array<std::int64_t, kOutlierStages.size()> stages_ns{};
  std::int64_t to_user = 0;  // last bottom-half stage → reader
  std::uint32_t top_cpu = 0;
  std::uint32_t bottom_cpu = 0;
  std::uint32_t bottom_flags = 0;  // IRQBRIDGE_CTX_* of the bottom half
  std::uint32_t batch = 0;
  Cause cause = Cause::timer_late;
  std::string why;  // the cause in plain words, with what was recorded
};

// How long the stage a cause is about took in an outlier.
std::int64_t cause_ns(const Outlier& o, Cause c);

// Keeps the n events with the longest timer_to_user, and counts (and keeps,
// up to a cap) those above a threshold.
class OutlierTracker {
 public:
  static constexpr std::size_t kThresholdCap = 100;

  OutlierTracker() : OutlierTracker(0, 0, 0, false) {}
  OutlierTracker(std::size_t worst, std::int64_t threshold_ns, std::uint64_t warmup, bool chain);

  // An attributed, ordered event of run `run` and the reader's wake-up.
  void add(unsigned run, const irqbridge_record& r, std::uint64_t user_ns);

  // The worst events, longest first.
  [[nodiscard]] std::vector<Outlier> worst() const;
  // Events above the threshold (all of them counted, the first kept).
  [[nodiscard]] const std::vector<Outlier>& above() const { return above_; }
  [[nodiscard]] std::uint64_t above_count() const { return above_count_; }
  [[nodiscard]] std::int64_t threshold_ns() const { return threshold_; }

  // Pools another tracker's events (repetitions of one mode).
  void merge(const OutlierTracker& other);

 private:
  void keep(Outlier o);

  std::size_t n_;
  std::int64_t threshold_;
  std::uint64_t warmup_;
  bool chain_;
  std::vector<Outlier> heap_;  // min-heap on timer_to_user
  std::vector<Outlier> above_;
  std::uint64_t above_count_ = 0;
};

// The breakdown and cause of one event (exposed for tests).
Outlier explain(unsigned run, const irqbridge_record& r, std::uint64_t user_ns, bool chain);

}  // namespace irqbridge
