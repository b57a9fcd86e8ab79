#include "irqbridge/analysis/outliers.hpp"

#include <gtest/gtest.h>

namespace irqbridge {
namespace {

// An event: expiry at base, then the three stages' durations.
irqbridge_record Ev(std::uint64_t seq, std::uint64_t base, std::uint64_t late,
                    std::uint64_t deferred, std::uint32_t bottom_flags = IRQBRIDGE_CTX_SOFTIRQ) {
  irqbridge_record r{};
  r.seq = seq;
  r.expected_ns = base;
  r.raise_ns = base;
  r.top_ns = base + late;
  r.bottom_ns = r.top_ns + deferred;
  r.signal_ns = r.bottom_ns + 1;
  r.batch = 1;
  r.top.cpu = 0;
  r.bottom.cpu = 1;
  r.bottom.flags = bottom_flags;
  return r;
}

TEST(Outliers, DominantStageNamesTheCause) {
  auto late = explain(0, Ev(0, 1000, 5000, 10), 1000 + 5000 + 10 + 100, false);
  EXPECT_EQ(late.cause, Cause::timer_late);
  EXPECT_EQ(late.timer_to_user, 5110);
  EXPECT_NE(late.why.find("5.0 us after the expiry"), std::string::npos) << late.why;

  auto deferred =
      explain(0, Ev(1, 0, 10, 8000, IRQBRIDGE_CTX_SOFTIRQ | IRQBRIDGE_CTX_KSOFTIRQD), 9000, false);
  EXPECT_EQ(deferred.cause, Cause::bottom_deferred);
  EXPECT_NE(deferred.why.find("ksoftirqd/1"), std::string::npos) << deferred.why;

  auto worker = explain(0, Ev(2, 0, 10, 8000, IRQBRIDGE_CTX_TASK), 9000, false);
  EXPECT_NE(worker.why.find("(the interrupt was on CPU 0)"), std::string::npos) << worker.why;

  auto reader = explain(0, Ev(3, 0, 10, 10), 7000, false);
  EXPECT_EQ(reader.cause, Cause::reader_late);
  EXPECT_EQ(reader.to_user, 7000 - 20);

  auto r = Ev(4, 0, 10, 10);
  r.chain_ns = r.bottom_ns + 6000;
  r.signal_ns = r.chain_ns + 1;
  auto chain = explain(0, r, r.chain_ns + 50, true);
  EXPECT_EQ(chain.cause, Cause::chain_deferred);
  EXPECT_EQ(chain.to_user, 50) << "from the work item, the stage that signals";
}

TEST(Outliers, KeepsTheWorstAndCountsAboveThreshold) {
  OutlierTracker t(3, 5000, 2, false);
  for (std::uint64_t i = 0; i < 100; i++) {
    const std::uint64_t reader = i == 50 ? 9000 : (i == 70 ? 6000 : 100 + i);
    t.add(0, Ev(i, 0, 10, 10), 20 + reader);
  }
  t.add(0, Ev(1, 0, 10, 10), 100000);  // warm-up: left out
  auto w = t.worst();
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].seq, 50u);
  EXPECT_EQ(w[1].seq, 70u);
  EXPECT_EQ(w[2].seq, 99u);
  EXPECT_EQ(t.above_count(), 2u);
  ASSERT_EQ(t.above().size(), 2u);

  OutlierTracker other(3, 5000, 0, false);
  other.add(1, Ev(7, 0, 10, 10), 20000);
  t.merge(other);
  EXPECT_EQ(t.worst()[0].run, 1u);
  EXPECT_EQ(t.worst().size(), 3u);
  EXPECT_EQ(t.above_count(), 3u);
}

}  // namespace
}  // namespace irqbridge
