#include "irqbridge/analysis/context.hpp"

#include <gtest/gtest.h>

namespace irqbridge {
namespace {

irqbridge_context Ctx(std::uint32_t flags, std::uint32_t cpu = 0, std::uint32_t preempt = 0) {
  irqbridge_context c{};
  c.flags = flags;
  c.cpu = cpu;
  c.preempt_count = preempt;
  return c;
}

TEST(Classify, EachContextAndItsWindowsName) {
  auto hard = Ctx(IRQBRIDGE_CTX_HARDIRQ | IRQBRIDGE_CTX_IRQS_OFF);
  EXPECT_EQ(classify(hard), ContextKind::hardirq);
  EXPECT_EQ(windows_name(classify(hard)), "DIRQL");
  EXPECT_EQ(classify(Ctx(IRQBRIDGE_CTX_SOFTIRQ)), ContextKind::softirq);
  EXPECT_EQ(windows_name(ContextKind::softirq), "DISPATCH_LEVEL");
  EXPECT_EQ(classify(Ctx(IRQBRIDGE_CTX_TASK)), ContextKind::task);
  EXPECT_EQ(windows_name(ContextKind::task), "PASSIVE_LEVEL");
  EXPECT_EQ(classify(Ctx(0)), ContextKind::other);
  // A hard IRQ that interrupted a softirq is still a hard IRQ.
  EXPECT_EQ(classify(Ctx(IRQBRIDGE_CTX_HARDIRQ | IRQBRIDGE_CTX_SOFTIRQ)), ContextKind::hardirq);
}

TEST(ContextSummary, AgreeingRecords) {
  ContextSummary s;
  s.add(Ctx(IRQBRIDGE_CTX_SOFTIRQ, 0, 0x100));
  s.add(Ctx(IRQBRIDGE_CTX_SOFTIRQ, 1, 0x101));
  EXPECT_EQ(s.name(), "softirq");
  EXPECT_EQ(s.windows(), "DISPATCH_LEVEL");
  EXPECT_EQ(s.count(), 2u);
  EXPECT_EQ(s.cpus().size(), 2u);
  EXPECT_EQ(s.preempt_min(), 0x100u);
  EXPECT_EQ(s.preempt_max(), 0x101u);
  EXPECT_EQ(s.irqs_off(), "never");
}

TEST(ContextSummary, MixedAndEmpty) {
  ContextSummary s;
  EXPECT_EQ(s.name(), "none");
  s.add(Ctx(IRQBRIDGE_CTX_TASK));
  s.add(Ctx(IRQBRIDGE_CTX_SOFTIRQ | IRQBRIDGE_CTX_IRQS_OFF));
  EXPECT_EQ(s.name(), "mixed");
  EXPECT_EQ(s.windows(), "mixed");
  EXPECT_EQ(s.irqs_off(), "sometimes");
}

}  // namespace
}  // namespace irqbridge
