#include "irqbridge/analysis.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace irqbridge {
namespace {

constexpr auto I = [](Stage s) { return static_cast<std::size_t>(s); };

// A record whose stages are each `step` ns apart, starting at base.
irqbridge_record Rec(std::uint64_t seq, std::uint64_t base, std::uint64_t step = 10) {
  irqbridge_record r{};
  r.seq = seq;
  r.expected_ns = base;
  r.raise_ns = base + step;
  r.top_ns = base + 2 * step;
  r.bottom_ns = base + 3 * step;
  r.signal_ns = base + 4 * step;
  r.top.flags = IRQBRIDGE_CTX_HARDIRQ | IRQBRIDGE_CTX_IRQS_OFF;
  r.bottom.flags = IRQBRIDGE_CTX_SOFTIRQ;
  return r;
}

TEST(Analyze, OneWakeupPerEvent) {
  std::vector<irqbridge_record> recs{Rec(0, 1000), Rec(1, 2000)};
  std::vector<Wakeup> wakes{{1, 1100}, {2, 2100}};
  Analysis a = analyze(recs, wakes, false);
  EXPECT_EQ(a.records, 2u);
  EXPECT_EQ(a.order_violations, 0u);
  EXPECT_EQ(a.unattributed, 0u);
  ASSERT_EQ(a.samples[I(Stage::timer_to_top)].size(), 2u);
  EXPECT_EQ(a.samples[I(Stage::timer_to_top)][0], 20);
  EXPECT_EQ(a.samples[I(Stage::raise_to_top)][0], 10);
  EXPECT_EQ(a.samples[I(Stage::top_to_bottom)][0], 10);
  EXPECT_EQ(a.samples[I(Stage::bottom_to_signal)][0], 10);
  EXPECT_EQ(a.samples[I(Stage::bottom_to_user)][0], 1100 - 1030);
  EXPECT_EQ(a.samples[I(Stage::top_to_user)][1], 2100 - 2020);
  EXPECT_EQ(a.samples[I(Stage::timer_to_user)][1], 100);
  EXPECT_TRUE(a.samples[I(Stage::bottom_to_chain)].empty());
  EXPECT_EQ(a.top.name(), "hardirq");
  EXPECT_EQ(a.bottom.name(), "softirq");
}

TEST(Analyze, CoalescedReadServesSeveralEvents) {
  // Three events, one eventfd read with value 3.
  std::vector<irqbridge_record> recs{Rec(0, 1000), Rec(1, 1010), Rec(2, 1020)};
  std::vector<Wakeup> wakes{{3, 5000}};
  Analysis a = analyze(recs, wakes, false);
  ASSERT_EQ(a.samples[I(Stage::top_to_user)].size(), 3u);
  EXPECT_EQ(a.samples[I(Stage::top_to_user)][0], 5000 - 1020);
  EXPECT_EQ(a.samples[I(Stage::top_to_user)][2], 5000 - 1040);
}

TEST(Analyze, SplitBatchIsAttributedBySequence) {
  // Since 6.8 a batch of 3 is three signals: the reader may read 1, then 2.
  std::vector<irqbridge_record> recs{Rec(0, 1000), Rec(1, 1000), Rec(2, 1000)};
  std::vector<Wakeup> wakes{{1, 4000}, {3, 4500}};
  Analysis a = analyze(recs, wakes, false);
  const auto& u = a.samples[I(Stage::top_to_user)];
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[0], 4000 - 1020);
  EXPECT_EQ(u[1], 4500 - 1020);
  EXPECT_EQ(u[2], 4500 - 1020);
}

TEST(Analyze, RecordsWithoutWakeupAreCountedNotInvented) {
  std::vector<irqbridge_record> recs{Rec(0, 1000), Rec(1, 2000)};
  std::vector<Wakeup> wakes{{1, 1500}};
  Analysis a = analyze(recs, wakes, false);
  EXPECT_EQ(a.unattributed, 1u);
  EXPECT_EQ(a.samples[I(Stage::top_to_user)].size(), 1u);
}

TEST(Analyze, OutOfOrderStagesAreViolations) {
  auto bad = Rec(1, 2000);
  bad.bottom_ns = bad.top_ns - 1;  // bottom before top
  auto early_user = Rec(2, 3000);  // reader "woke" before the bottom half
  std::vector<irqbridge_record> recs{Rec(0, 1000), bad, early_user};
  std::vector<Wakeup> wakes{{1, 1100}, {2, 2100}, {3, 3005}};
  Analysis a = analyze(recs, wakes, false);
  EXPECT_EQ(a.order_violations, 2u);
  EXPECT_EQ(a.samples[I(Stage::top_to_user)].size(), 1u);
}

TEST(Analyze, SignalAfterUserIsNotAViolation) {
  // On SMP the reader can wake before the bottom half takes signal_ns.
  auto r = Rec(0, 1000);
  r.signal_ns = 5000;
  std::vector<irqbridge_record> recs{r};
  std::vector<Wakeup> wakes{{1, 1100}};
  Analysis a = analyze(recs, wakes, false);
  EXPECT_EQ(a.order_violations, 0u);
}

TEST(Analyze, GapsInSequenceAreCounted) {
  std::vector<irqbridge_record> recs{Rec(0, 1000), Rec(3, 1000), Rec(4, 1000)};
  std::vector<Wakeup> wakes{{5, 9000}};
  Analysis a = analyze(recs, wakes, false);
  EXPECT_EQ(a.seq_gaps, 2u);
}

TEST(Analyze, ChainHasTwoHops) {
  auto r = Rec(0, 1000);
  r.chain_ns = r.bottom_ns + 5;
  r.signal_ns = r.chain_ns + 3;
  r.chain.flags = IRQBRIDGE_CTX_TASK;
  std::vector<irqbridge_record> recs{r};
  std::vector<Wakeup> wakes{{1, 2000}};
  Analysis a = analyze(recs, wakes, true);
  ASSERT_EQ(a.samples[I(Stage::bottom_to_chain)].size(), 1u);
  EXPECT_EQ(a.samples[I(Stage::bottom_to_chain)][0], 5);
  EXPECT_EQ(a.samples[I(Stage::bottom_to_signal)][0], 3) << "from the stage that signals";
  EXPECT_EQ(a.chain.name(), "task");
}

}  // namespace
}  // namespace irqbridge
