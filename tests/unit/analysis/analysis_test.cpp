#include "irqbridge/analysis/analysis.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace irqbridge {
namespace {

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

// Values below 128 ns are exact in the histogram: the tests stay there.
Summary S(const Analysis& a, Stage s) { return a.latency[s].summary(); }

TEST(Analyze, OneWakeupPerEvent) {
  std::vector<irqbridge_record> recs{Rec(0, 1000), Rec(1, 2000)};
  std::vector<Wakeup> wakes{{1, 1100}, {2, 2110}};
  Analysis a = analyze(recs, wakes, false);
  EXPECT_EQ(a.records, 2u);
  EXPECT_EQ(a.order_violations, 0u);
  EXPECT_EQ(a.unattributed, 0u);
  EXPECT_EQ(S(a, Stage::timer_to_top).n, 2u);
  EXPECT_EQ(S(a, Stage::timer_to_top).max, 20);
  EXPECT_EQ(S(a, Stage::raise_to_top).max, 10);
  EXPECT_EQ(S(a, Stage::top_to_bottom).max, 10);
  EXPECT_EQ(S(a, Stage::bottom_to_signal).max, 10);
  EXPECT_EQ(S(a, Stage::bottom_to_user).min, 1100 - 1030);
  EXPECT_EQ(S(a, Stage::top_to_user).max, 2110 - 2020);
  EXPECT_EQ(S(a, Stage::timer_to_user).min, 100);
  EXPECT_EQ(S(a, Stage::timer_to_user).max, 110);
  EXPECT_EQ(S(a, Stage::bottom_to_chain).n, 0u);
  EXPECT_EQ(a.top.name(), "hardirq");
  EXPECT_EQ(a.bottom.name(), "softirq");
}

TEST(Analyze, CoalescedReadServesSeveralEvents) {
  // Three events, one eventfd read with value 3.
  std::vector<irqbridge_record> recs{Rec(0, 1000), Rec(1, 1010), Rec(2, 1020)};
  std::vector<Wakeup> wakes{{3, 1100}};
  Analysis a = analyze(recs, wakes, false);
  EXPECT_EQ(S(a, Stage::top_to_user).n, 3u);
  EXPECT_EQ(S(a, Stage::top_to_user).max, 1100 - 1020);
  EXPECT_EQ(S(a, Stage::top_to_user).min, 1100 - 1040);
}

TEST(Analyze, SplitBatchIsAttributedBySequence) {
  // Since 6.8 a batch of 3 is three signals: the reader may read 1, then 2.
  std::vector<irqbridge_record> recs{Rec(0, 1000), Rec(1, 1000), Rec(2, 1000)};
  std::vector<Wakeup> wakes{{1, 1050}, {3, 1100}};
  Analysis a = analyze(recs, wakes, false);
  const Summary u = S(a, Stage::top_to_user);
  EXPECT_EQ(u.n, 3u);
  EXPECT_EQ(u.min, 1050 - 1020);
  EXPECT_EQ(u.max, 1100 - 1020);
  EXPECT_EQ(u.p50, 1100 - 1020) << "two of three served by the second read";
}

TEST(Analyze, RecordsWithoutWakeupAreCountedNotInvented) {
  std::vector<irqbridge_record> recs{Rec(0, 1000), Rec(1, 2000)};
  std::vector<Wakeup> wakes{{1, 1050}};
  Analysis a = analyze(recs, wakes, false);
  EXPECT_EQ(a.unattributed, 1u);
  EXPECT_EQ(S(a, Stage::top_to_user).n, 1u);
}

TEST(Analyze, OutOfOrderStagesAreViolations) {
  auto bad = Rec(1, 2000);
  bad.bottom_ns = bad.top_ns - 1;  // bottom before top
  auto early_user = Rec(2, 3000);  // reader "woke" before the bottom half
  std::vector<irqbridge_record> recs{Rec(0, 1000), bad, early_user};
  std::vector<Wakeup> wakes{{1, 1100}, {2, 2100}, {3, 3005}};
  Analysis a = analyze(recs, wakes, false);
  EXPECT_EQ(a.order_violations, 2u);
  EXPECT_EQ(S(a, Stage::top_to_user).n, 1u);
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
  std::vector<Wakeup> wakes{{5, 1100}};
  Analysis a = analyze(recs, wakes, false);
  EXPECT_EQ(a.seq_gaps, 2u);
}

TEST(Analyze, ChainHasTwoHops) {
  auto r = Rec(0, 1000);
  r.chain_ns = r.bottom_ns + 5;
  r.signal_ns = r.chain_ns + 3;
  r.chain.flags = IRQBRIDGE_CTX_TASK;
  std::vector<irqbridge_record> recs{r};
  std::vector<Wakeup> wakes{{1, 1100}};
  Analysis a = analyze(recs, wakes, true);
  EXPECT_EQ(S(a, Stage::bottom_to_chain).n, 1u);
  EXPECT_EQ(S(a, Stage::bottom_to_chain).max, 5);
  EXPECT_EQ(S(a, Stage::bottom_to_signal).max, 3) << "from the stage that signals";
  EXPECT_EQ(a.chain.name(), "task");
}

TEST(Analyze, WarmupIsLeftOutAndCounted) {
  std::vector<irqbridge_record> recs{Rec(0, 1000), Rec(1, 2000), Rec(2, 3000)};
  std::vector<Wakeup> wakes{{1, 1120}, {2, 2050}, {3, 3050}};
  Analysis a = analyze(recs, wakes, false, 1);
  EXPECT_EQ(a.warmup, 1u);
  EXPECT_EQ(S(a, Stage::top_to_user).n, 2u);
  EXPECT_EQ(S(a, Stage::top_to_user).max, 30) << "the slow first event is gone";
  EXPECT_EQ(a.top.count(), 3u) << "contexts still cover every record";
}

// The reader's real order: wake-up, then the records that arrived so far,
// some of them counted by a wake-up still to come.
TEST(Analyzer, StreamingMatchesWholeRunAndHoldsOnlyWhatIsInFlight) {
  std::vector<irqbridge_record> recs;
  std::vector<Wakeup> wakes;
  for (std::uint64_t i = 0; i < 10000; i++) {
    recs.push_back(Rec(i, 1000 * i, 5 + i % 7));
    if (i % 3 == 2) wakes.push_back({i + 1, 1000 * i + 100});
  }
  wakes.push_back({10000, 1000 * 9999 + 100});

  std::uint64_t sunk = 0;
  Analyzer streaming(false, 0, [&sunk](const irqbridge_record&, std::uint64_t) { sunk++; });
  std::size_t most_pending = 0;
  std::size_t next = 0;
  for (const Wakeup& w : wakes) {
    streaming.add_wakeup(w);
    // The ring holds the records up to this wake-up and one more.
    const std::size_t upto = std::min<std::size_t>(recs.size(), w.cumulative + 1);
    streaming.add_records(std::span(recs).subspan(next, upto - next));
    next = upto;
    most_pending = std::max(most_pending, streaming.pending());
  }
  Analysis s = streaming.finish();
  Analysis whole = analyze(recs, wakes, false);

  EXPECT_LE(most_pending, 4u);
  EXPECT_EQ(sunk, 10000u);
  EXPECT_EQ(s.unattributed, 0u);
  EXPECT_EQ(s.order_violations, 0u);
  for (Stage st : {Stage::timer_to_top, Stage::top_to_user, Stage::timer_to_user}) {
    SCOPED_TRACE(stage_name(st));
    const Summary a = S(s, st);
    const Summary b = S(whole, st);
    EXPECT_EQ(a.n, 10000u);
    EXPECT_EQ(a.n, b.n);
    EXPECT_EQ(a.p50, b.p50);
    EXPECT_EQ(a.p999, b.p999);
    EXPECT_EQ(a.max, b.max);
    EXPECT_DOUBLE_EQ(a.mean, b.mean);
  }
}

// A count-only run (records off, the bench's no-records cost run) gets
// wake-ups and never a record. Kept, they were 16 B each for ever (160 MB
// at 1e7 events, locked under mlockall); run_once builds its analyzer with
// with_records = settings.records, and such an analyzer keeps none.
TEST(Analyzer, CountOnlyKeepsNoWakeups) {
  constexpr std::uint64_t kWakeups = 200000;
  Analyzer count_only(false, 0, {}, /*with_records=*/false);
  for (std::uint64_t i = 1; i <= kWakeups; i++) count_only.add_wakeup({i, 1000 * i});
  EXPECT_EQ(count_only.pending(), 0u);
  const Analysis a = count_only.finish();
  EXPECT_EQ(a.records, 0u);
  EXPECT_EQ(a.unattributed, 0u);

  // The hazard it avoids: an analyzer that expects records holds every
  // wake-up until one arrives.
  Analyzer waiting(false, 0);
  for (std::uint64_t i = 1; i <= 1000; i++) waiting.add_wakeup({i, 1000 * i});
  EXPECT_EQ(waiting.pending(), 1000u);
}

}  // namespace
}  // namespace irqbridge
