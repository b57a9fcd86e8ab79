#include "irqbridge/abi/modes.hpp"

#include <gtest/gtest.h>
#include <uapi/irqbridge.h>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {
namespace {

constexpr std::uint32_t Bit(std::uint32_t id) { return 1U << id; }

TEST(Modes, EveryUapiModeHasAName) {
  for (std::uint32_t id = 1; id <= IRQBRIDGE_MODE_MAX; id++) {
    const ModeInfo* m = find_mode(id);
    ASSERT_NE(m, nullptr) << "mode " << id;
    EXPECT_EQ(find_mode(m->name), m);
  }
  EXPECT_EQ(find_mode("nope"), nullptr);
  EXPECT_EQ(find_mode(std::uint32_t{0}), nullptr);
}

TEST(Modes, ParseList) {
  const std::uint32_t both = Bit(IRQBRIDGE_MODE_TASKLET) | Bit(IRQBRIDGE_MODE_WORKQUEUE);
  auto modes = parse_mode_list("tasklet,workqueue", both);
  ASSERT_EQ(modes.size(), 2u);
  EXPECT_EQ(modes[0]->id, std::uint32_t{IRQBRIDGE_MODE_TASKLET});
  EXPECT_EQ(modes[1]->id, std::uint32_t{IRQBRIDGE_MODE_WORKQUEUE});
  EXPECT_THROW(parse_mode_list("tasklet,nope", both), Error);
  EXPECT_THROW(parse_mode_list("tasklet,tasklet", both), Error);
  EXPECT_THROW(parse_mode_list("", both), Error);
  // An empty item is a typo, not nothing: refused, wherever it is.
  for (const char* holed : {"tasklet,,workqueue", ",tasklet", "tasklet,", ","}) {
    try {
      parse_mode_list(holed, both);
      ADD_FAILURE() << "'" << holed << "' accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("empty item"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(parse_mode_list("bh_wq", both), Error) << "not offered by the kernel";
  try {
    parse_mode_list("direct", both);
    ADD_FAILURE() << "direct accepted without the module offering it";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("PREEMPT_RT"), std::string::npos) << e.what();
  }
}

TEST(Modes, AllMeansWhatTheKernelOffers) {
  const std::uint32_t mask = Bit(IRQBRIDGE_MODE_TASKLET) | Bit(IRQBRIDGE_MODE_THREADED);
  auto modes = parse_mode_list("all", mask);
  ASSERT_EQ(modes.size(), 2u);
  EXPECT_EQ(modes[0]->name, "tasklet");
  EXPECT_EQ(modes[1]->name, "threaded");
  EXPECT_EQ(mode_names(mask), (std::vector<std::string>{"tasklet", "threaded"}));
}

TEST(Modes, ThreadedNeedsAnInterrupt) {
  const SourceInfo& timer = *find_source("timer");
  const SourceInfo& edu = *find_source("edu");
  EXPECT_EQ(effective_source(*find_mode("threaded"), timer).name, "irqchip");
  EXPECT_EQ(effective_source(*find_mode("threaded"), edu).name, "edu");
  EXPECT_EQ(effective_source(*find_mode("tasklet"), timer).name, "timer");
  // The soft timer is not swapped for a hard irq_chip: the CLI refuses it.
  const SourceInfo& soft = *find_source("timer_soft");
  EXPECT_EQ(effective_source(*find_mode("threaded"), soft).name, "timer_soft");
  EXPECT_EQ(effective_source(*find_mode("direct"), soft).name, "timer_soft");
}

}  // namespace
}  // namespace irqbridge
