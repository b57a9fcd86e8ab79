// Joins the module's per-event records with the reader's wake-ups and turns
// them into per-stage latencies. Pure logic.
#pragma once

#include <uapi/irqbridge.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "irqbridge/context.hpp"

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
  bottom_to_chain,   // DPC → its work item (dpc_workitem only)
  count_
};
inline constexpr std::size_t kStageCount = static_cast<std::size_t>(Stage::count_);

std::string_view stage_name(Stage stage);
// The four stages every report has, in display order.
inline constexpr std::array<Stage, 4> kMainStages = {Stage::timer_to_top, Stage::top_to_bottom,
                                                     Stage::bottom_to_user, Stage::top_to_user};

struct Analysis {
  std::array<std::vector<std::int64_t>, kStageCount> samples;
  std::uint64_t records = 0;
  std::uint64_t order_violations = 0;  // expected ≤ raise ≤ top ≤ bottom ≤ signal, bottom ≤ user
  std::uint64_t unattributed = 0;  // records whose seq no wake-up covered
  std::uint64_t seq_gaps = 0;      // records missing between first and last
  ContextSummary top;
  ContextSummary bottom;
  ContextSummary chain;
};

// records in ring order (ascending seq), wakeups in reading order.
// A record with seq s reached the reader at the first wake-up whose
// cumulative count is > s: the eventfd value counts events, and records may
// land in the ring after the wake-up that counted them.
Analysis analyze(std::span<const irqbridge_record> records, std::span<const Wakeup> wakeups,
                 bool chain);

}  // namespace irqbridge
