#include "irqbridge/analysis/counts.hpp"

#include <gtest/gtest.h>

namespace irqbridge {
namespace {

Counts Part(std::uint64_t events, std::uint64_t salt) {
  Counts c;
  c.kernel.size = static_cast<std::uint32_t>(sizeof(c.kernel));
  c.kernel.running = static_cast<std::uint32_t>(salt);
  c.kernel.fired = c.kernel.counted = c.kernel.records = events;
  c.kernel.bottom_runs = 1 + salt;
  c.kernel.timer_overruns = 2 + salt;
  c.kernel.records_lost = 3 + salt;
  c.kernel.max_batch = 4 + salt;
  c.kernel.raised = 5 + salt;
  c.kernel.source_busy = 6 + salt;
  c.kernel.chain_runs = 7 + salt;
  c.kernel.empty_runs = 8 + salt;
  c.kernel.work_capped = 9 + salt;
  c.kernel.line_held = 10 + salt;
  c.kernel.line_redelivered = 11 + salt;
  c.kernel.thread_masked = 12 + salt;
  c.kernel.thread_unmasked = 13 + salt;
  c.kernel.throttled = 20 + salt;
  c.kernel.last_status = static_cast<std::uint32_t>(14 + salt);
  c.reader_total = events;
  c.wakeups = events - salt;
  c.ring_overruns = 15 + salt;
  c.reader_cpu_ns = 16 + salt;
  c.cost = {sizeof(c.cost), 0, events, 100 * events, 17 + salt};
  return c;
}

TEST(Counts, SumsEveryCounterAndKeepsTheLargestMaxima) {
  Counts sum;
  sum += Part(10, 0);
  sum += Part(20, 5);
  EXPECT_EQ(sum.kernel.fired, 30u);
  EXPECT_EQ(sum.kernel.counted, 30u);
  EXPECT_EQ(sum.kernel.records, 30u);
  EXPECT_EQ(sum.kernel.bottom_runs, 1u + 6u);
  EXPECT_EQ(sum.kernel.timer_overruns, 2u + 7u);
  EXPECT_EQ(sum.kernel.records_lost, 3u + 8u);
  EXPECT_EQ(sum.kernel.max_batch, 9u) << "the largest batch, not a sum";
  EXPECT_EQ(sum.kernel.raised, 5u + 10u);
  EXPECT_EQ(sum.kernel.source_busy, 6u + 11u);
  EXPECT_EQ(sum.kernel.chain_runs, 7u + 12u);
  EXPECT_EQ(sum.kernel.empty_runs, 8u + 13u);
  EXPECT_EQ(sum.kernel.work_capped, 9u + 14u);
  EXPECT_EQ(sum.kernel.line_held, 10u + 15u);
  EXPECT_EQ(sum.kernel.line_redelivered, 11u + 16u);
  EXPECT_EQ(sum.kernel.thread_masked, 12u + 17u);
  EXPECT_EQ(sum.kernel.thread_unmasked, 13u + 18u);
  EXPECT_EQ(sum.kernel.throttled, 20u + 25u);
  EXPECT_EQ(sum.kernel.last_status, 19u) << "the last run's";
  EXPECT_EQ(sum.kernel.running, 5u) << "the last run's";
  EXPECT_EQ(sum.reader_total, 30u);
  EXPECT_EQ(sum.wakeups, 10u + 15u);
  EXPECT_EQ(sum.ring_overruns, 15u + 20u);
  EXPECT_EQ(sum.reader_cpu_ns, 16u + 21u);
  EXPECT_EQ(sum.cost.top_halves, 30u);
  EXPECT_EQ(sum.cost.top_ns_total, 3000u);
  EXPECT_EQ(sum.cost.top_ns_max, 22u) << "the longest top half, not a sum";
  EXPECT_TRUE(sum.exact());
}

TEST(Counts, TheFirstErrorStays) {
  Counts a = Part(5, 0);
  Counts b = Part(5, 0);
  Counts c = Part(5, 0);
  b.kernel.error = 19;  // ENODEV
  c.kernel.error = 5;
  Counts sum;
  sum += a;
  sum += b;
  sum += c;
  EXPECT_EQ(sum.kernel.error, 19u);
}

TEST(Counts, ExactMeansFiredCountedAndReadInEveryPart) {
  EXPECT_TRUE(Part(10, 0).exact());
  Counts lost = Part(10, 0);
  lost.kernel.counted--;
  EXPECT_FALSE(lost.exact());
  Counts unread = Part(10, 0);
  unread.reader_total--;
  EXPECT_FALSE(unread.exact());

  // One part read one event too many, the other one too few: the sums
  // balance, the result is still not exact.
  Counts more = Part(10, 0);
  Counts fewer = Part(10, 0);
  more.reader_total++;
  fewer.reader_total--;
  Counts sum;
  sum += more;
  sum += fewer;
  EXPECT_EQ(sum.reader_total, sum.kernel.counted);
  EXPECT_FALSE(sum.exact());
  // ... and a sum of such sums neither.
  Counts total;
  total += Part(10, 0);
  total += sum;
  EXPECT_FALSE(total.exact());
}

}  // namespace
}  // namespace irqbridge
