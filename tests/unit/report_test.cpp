#include "irqbridge/report.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace irqbridge {
namespace {

ModeResult Result(const std::string& mode, std::uint32_t bottom_flag, std::uint64_t events) {
  std::vector<irqbridge_record> recs;
  std::vector<Wakeup> wakes;
  for (std::uint64_t i = 0; i < events; i++) {
    irqbridge_record r{};
    r.seq = i;
    r.expected_ns = 1000 * i;
    r.raise_ns = r.expected_ns + 1;
    r.top_ns = r.expected_ns + 80;
    r.bottom_ns = r.top_ns + 20 + i;
    r.signal_ns = r.bottom_ns + 2;
    r.top.flags = IRQBRIDGE_CTX_HARDIRQ | IRQBRIDGE_CTX_IRQS_OFF;
    r.bottom.flags = bottom_flag;
    recs.push_back(r);
    wakes.push_back({i + 1, r.signal_ns + 10});
  }
  irqbridge_stats st{};
  st.fired = st.counted = st.raised = st.bottom_runs = events;
  st.records = events;
  return make_result(mode, "timer", st, events, events, 0, analyze(recs, wakes, false), false);
}

Report TwoModes() {
  Report r;
  r.kernel = "6.12.0-test";
  r.period_ns = 1000000;
  r.events = 10;
  r.reader = {"SCHED_FIFO", 80, true, -1};
  r.cpus = 2;
  r.accel = "tcg";
  r.modes.push_back(Result("tasklet", IRQBRIDGE_CTX_SOFTIRQ, 10));
  r.modes.push_back(Result("workqueue", IRQBRIDGE_CTX_TASK, 10));
  return r;
}

TEST(ReportJson, HasEveryContractKey) {
  nlohmann::json j = to_json(TwoModes());
  EXPECT_EQ(j["schema"], "irqbridge.compare/1");
  EXPECT_EQ(j["kernel"], "6.12.0-test");
  EXPECT_EQ(j["period_ns"], 1000000);
  EXPECT_EQ(j["events"], 10);
  for (const char* mode : {"tasklet", "workqueue"}) {
    SCOPED_TRACE(mode);
    const auto& m = j["modes"][mode];
    for (const char* key : {"fired", "counted", "wakeups", "overruns"})
      EXPECT_TRUE(m[key].is_number_unsigned()) << key;
    EXPECT_EQ(m["fired"], 10);
    EXPECT_EQ(m["counted"], 10);
    EXPECT_EQ(m["context"]["top"], "hardirq");
    for (const char* stage : {"timer_to_top", "top_to_bottom", "bottom_to_user", "top_to_user"}) {
      const auto& st = m["latency_ns"][stage];
      for (const char* key : {"n", "p50", "p90", "p99", "p999", "max"})
        EXPECT_TRUE(st[key].is_number_integer()) << stage << "." << key;
      EXPECT_EQ(st["n"], 10);
    }
  }
  EXPECT_EQ(j["modes"]["tasklet"]["context"]["bottom"], "softirq");
  EXPECT_EQ(j["modes"]["workqueue"]["context"]["bottom"], "task");
  EXPECT_EQ(j["modes"]["tasklet"]["latency_ns"]["timer_to_top"]["p50"], 80);
  EXPECT_EQ(j["modes"]["tasklet"]["latency_ns"]["top_to_bottom"]["max"], 29);
  EXPECT_EQ(j["reader"]["policy"], "SCHED_FIFO");
  EXPECT_EQ(j["reader"]["priority"], 80);
  EXPECT_EQ(j["modes"]["tasklet"]["exact"], true);
  EXPECT_EQ(j["accel"], "tcg");
  EXPECT_EQ(j["cpus"], 2);
}

TEST(ReportJson, MismatchIsVisible) {
  Report r = TwoModes();
  r.modes[0].kernel.counted = 9;
  EXPECT_FALSE(r.modes[0].exact());
  EXPECT_EQ(to_json(r)["modes"]["tasklet"]["exact"], false);
  EXPECT_NE(format_table(r).find("COUNT MISMATCH"), std::string::npos);
}

TEST(ReportTable, ShowsModesContextsAndStages) {
  std::string t = format_table(TwoModes());
  EXPECT_NE(t.find("reader SCHED_FIFO 80 + mlockall"), std::string::npos) << t;
  EXPECT_NE(t.find("2 CPUs (tcg)"), std::string::npos) << t;
  EXPECT_NE(t.find("softirq (DISPATCH_LEVEL)"), std::string::npos) << t;
  EXPECT_NE(t.find("task (PASSIVE_LEVEL)"), std::string::npos) << t;
  EXPECT_NE(t.find("hardirq (DIRQL)"), std::string::npos) << t;
  for (const char* stage : {"timer_to_top", "top_to_bottom", "bottom_to_user", "top_to_user"})
    EXPECT_NE(t.find(stage), std::string::npos) << stage;
  EXPECT_EQ(t.find("COUNT MISMATCH"), std::string::npos);
  EXPECT_EQ(t.find("second hop"), std::string::npos) << "no chain mode, no chain column";
}

}  // namespace
}  // namespace irqbridge
