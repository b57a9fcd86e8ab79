#include "irqbridge/run/timerlat.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "irqbridge/report/report.hpp"
#include "irqbridge/sys/error.hpp"

namespace irqbridge {
namespace {

std::string data(const std::string& name) {
  std::ifstream in(std::string(IRQBRIDGE_TEST_DATA) + "/timerlat/" + name);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Within the histogram's < 1 % bucket error of the nearest-rank value.
void expect_about(std::int64_t got, std::int64_t want) {
  EXPECT_NEAR(static_cast<double>(got), static_cast<double>(want),
              static_cast<double>(want) / 100.0 + 1.0);
}

// Expected figures computed from the file apart (a nearest-rank over the
// expanded bins, in Python), not by this parser.
TEST(Timerlat, ParsesRealOutputOfOneCpu) {
  const TimerlatResult r = parse_timerlat_hist(data("6.12-rt-cpu0.txt"));
  EXPECT_EQ(r.cpus, std::vector<int>{0});
  EXPECT_EQ(r.irq.samples, 1911U);
  EXPECT_EQ(r.thread.samples, 1911U);
  EXPECT_EQ(r.irq.overflows, 0U);
  const Summary irq = r.irq.histogram.summary();
  const Summary thr = r.thread.histogram.summary();
  EXPECT_EQ(irq.n, 1911U);
  EXPECT_EQ(irq.min, 14999) << "bin 14 is [14, 15) us: its upper edge";
  EXPECT_EQ(irq.max, 5435999);
  expect_about(irq.p50, 60999);
  expect_about(irq.p99, 2526999);
  EXPECT_EQ(thr.min, 37999);
  EXPECT_EQ(thr.max, 5618999);
  expect_about(thr.p50, 105999);
  expect_about(thr.p99, 2707999);
}

TEST(Timerlat, PoolsCpusAndRecordsOverflowsAtTheirMax) {
  const TimerlatResult r = parse_timerlat_hist(data("7.3.4-rt-2cpus.txt"));
  EXPECT_EQ(r.cpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(r.irq.samples, 2719U + 2743U);
  EXPECT_EQ(r.thread.samples, 2719U + 2743U);
  EXPECT_EQ(r.irq.overflows, 2U) << "one over: per CPU";
  const Summary irq = r.irq.histogram.summary();
  EXPECT_EQ(irq.n, 5462U);
  EXPECT_EQ(irq.min, 4999);
  EXPECT_EQ(irq.max, 21654999) << "CPU 1's over: sample, at its max: (21654 us)";
  expect_about(irq.p50, 63999);
  expect_about(irq.p99, 3619999);
  const Summary thr = r.thread.histogram.summary();
  EXPECT_EQ(thr.max, 21848999);
  expect_about(thr.p50, 94999);
}

TEST(Timerlat, ReadsNanosecondOutput) {
  const TimerlatResult r = parse_timerlat_hist(data("7.3.4-rt-nano-over.txt"));
  EXPECT_EQ(r.cpus, std::vector<int>{1});
  EXPECT_EQ(r.irq.samples, 1369U);
  EXPECT_EQ(r.irq.overflows, 1368U);
  EXPECT_EQ(r.irq.histogram.summary().min, 11418) << "bin 11418 ns, 1 ns wide";
  EXPECT_EQ(r.irq.histogram.summary().max, 18272170) << "the over: samples, at max:";
  EXPECT_EQ(r.thread.overflows, 1369U) << "every thread sample over the 20 us histogram";
  EXPECT_EQ(r.thread.histogram.summary().min, 42629135);
}

TEST(Timerlat, HonoursTheBucketSize) {
  const char* text =
      "# Time unit is microseconds (us)\nIndex IRQ-000 Thr-000\n10 1 0\n20 0 1\n"
      "over: 0 0\ncount: 1 1\nmin: 12 25\navg: 12 25\nmax: 12 25\n";
  const TimerlatResult r = parse_timerlat_hist(text, 10);
  EXPECT_EQ(r.irq.histogram.summary().max, 19999) << "bin 10 of -b 10 is [10, 20) us";
  EXPECT_EQ(r.thread.histogram.summary().max, 29999);
}

// Newer rtla: Usr-NNN columns, "-" for a column without samples, an ALL:
// block after the summary.
TEST(Timerlat, ReadsNewerRtlaOutput) {
  const char* text =
      "# RTLA timerlat histogram\n# Time unit is microseconds (us)\n"
      "Index   IRQ-000   Thr-000   Usr-000   IRQ-001   Thr-001   Usr-001\n"
      "5             1         0         0         0         0         0\n"
      "9             0         1         0         0         0         0\n"
      "over:         0         0         0         0         0         0\n"
      "count:        1         1         0         0         0         0\n"
      "min:          5         9         -         -         -         -\n"
      "avg:          5         9         -         -         -         -\n"
      "max:          5         9         -         -         -         -\n"
      "ALL:        IRQ       Thr       Usr\n"
      "count:        1         1         0\n"
      "min:          5         9         -\n";
  const TimerlatResult r = parse_timerlat_hist(text);
  EXPECT_EQ(r.cpus, std::vector<int>{0}) << "CPU 1 had no sample";
  EXPECT_EQ(r.irq.samples, 1U);
  EXPECT_EQ(r.thread.histogram.summary().max, 9999);
}

// Malformed input: the project's Error with a clear message, never a crash
// or another exception type.
void expect_error(const std::string& text, const std::string& says) {
  try {
    (void)parse_timerlat_hist(text);
    ADD_FAILURE() << "no error for:\n" << text;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
  }
}

constexpr const char* kHead = "# Time unit is microseconds (us)\nIndex IRQ-000 Thr-000\n";
constexpr const char* kTail = "over: 0 0\ncount: 1 1\nmin: 5 9\navg: 5 9\nmax: 5 9\n";

TEST(Timerlat, MalformedOutputIsAClearError) {
  expect_error("", "no Index header");
  expect_error(data("6.12-available_tracers"), "before the Index header");
  expect_error("Failed to set timerlat period\nCould not apply config\n", "before the Index");
  expect_error("Index IRQ-000 Thr-000\n5 1 0\n9 0 1\n" + std::string(kTail), "Time unit");
  expect_error(std::string(kHead) + "5 1\n9 0 1\n" + kTail, "1 values for 2 columns");
  expect_error(std::string(kHead) + "5 1 0 7\n9 0 1\n" + kTail, "3 values for 2 columns");
  expect_error(std::string(kHead) + "x 1 0\n9 0 1\n" + kTail, "'x' is not a whole number");
  expect_error(std::string(kHead) + "5 -1 0\n9 0 1\n" + kTail, "'-1' is not a whole number");
  expect_error(std::string(kHead) + "5 1.5 0\n9 0 1\n" + kTail, "'1.5' is not a whole number");
  expect_error(std::string(kHead) + "5 99999999999999999999999 0\n9 0 1\n" + kTail,
               "is not a whole number");
  expect_error(std::string(kHead) + "5 1 0\n9 0 1\n", "no over: row");
  expect_error(std::string(kHead) + "5 2 0\n9 0 1\n" + kTail, "count 1 != histogram 2 + over 0");
  expect_error(std::string(kHead) + "5 1 0\n9 0 1\nover: 0 0\ncount: 1 1\nover: 0 0\n",
               "a second over: row");
  expect_error(std::string(kHead) + "5 1 0\nover: 0 0\n9 0 1\ncount: 1 1\nmax: 5 9\n",
               "a histogram row after the summary");
  expect_error("# Time unit is microseconds (us)\nIndex IRQ-000 Foo-000\n",
               "unknown column 'Foo-000'");
  expect_error("# Time unit is microseconds (us)\nIndex IRQ-x\n", "names no CPU");
  expect_error("# Time unit is microseconds (us)\nIndex\n", "a header without columns");
  expect_error(std::string(kHead) + "Index IRQ-000 Thr-000\n", "a second header");
  expect_error(std::string(kHead) + "over: 0 0\ncount: 0 0\nmin: - -\navg: - -\nmax: - -\n",
               "no samples");
  expect_error(std::string(kHead) + "over: - 0\ncount: 1 1\nmax: 5 9\n", "'-' is not a whole");
  // Samples over the histogram need a max to be recorded at.
  expect_error(std::string(kHead) + "over: 1 0\ncount: 1 0\nmin: - -\navg: - -\nmax: - -\n",
               "no usable max");
  // A value whose upper edge in ns does not fit an int64.
  expect_error(std::string(kHead) + "18446744073709551 1 0\nover: 0 0\ncount: 1 0\nmax: 5 9\n",
               "out of range");
  // Counts that overflow 64 bits when added.
  expect_error(std::string(kHead) +
                   "5 18446744073709551615 0\n6 1 0\nover: 0 0\ncount: 1 0\n"
                   "max: 5 9\n",
               "counts overflow");
  EXPECT_THROW((void)parse_timerlat_hist(std::string(kHead) + "5 1 0\n9 0 1\n" + kTail, 0), Error);
}

TEST(Timerlat, TruncatedRealOutputIsAnErrorAtEveryCut) {
  // Every prefix of a real output: an Error or a result, never a crash or
  // another exception.
  const std::string text = data("6.12-rt-cpu0.txt");
  for (std::size_t cut = 0; cut < text.size(); cut += 97) {
    try {
      (void)parse_timerlat_hist(text.substr(0, cut));
    } catch (const Error&) {
    }
  }
}

TEST(Timerlat, TracerListDecidesWhetherTimerlatCanRun) {
  EXPECT_EQ(timerlat_missing_reason(data("6.12-rt-available_tracers")), std::nullopt);
  const auto none = timerlat_missing_reason(data("6.12-available_tracers"));
  ASSERT_TRUE(none);
  EXPECT_NE(none->find("CONFIG_TIMERLAT_TRACER"), std::string::npos) << *none;
  const auto unmounted = timerlat_missing_reason(std::nullopt);
  ASSERT_TRUE(unmounted);
  EXPECT_NE(unmounted->find("tracefs"), std::string::npos) << *unmounted;
  EXPECT_TRUE(timerlat_missing_reason(std::string("timerlat_x osnoise")))
      << "a tracer whose name only starts with timerlat is not it";
}

TEST(Timerlat, ArgumentsFollowTheSettings) {
  TimerlatSettings s;
  s.duration_s = 6;
  s.period_us = 500;
  s.priority = 80;
  s.cpus = {0, 2};
  s.entries = 10000;
  const std::vector<std::string> want = {
      "rtla", "timerlat", "hist", "-d",    "6",  "-p", "500",           "-P", "f:80",
      "-c",   "0,2",      "-E",   "10000", "-b", "1",  "--dma-latency", "0"};
  EXPECT_EQ(timerlat_args(s), want);
  s.priority = 0;
  s.cpus.clear();
  const auto other = timerlat_args(s);
  EXPECT_EQ(other[8], "o:0") << "no realtime reader: timerlat threads SCHED_OTHER too";
  EXPECT_EQ(std::count(other.begin(), other.end(), "-c"), 0) << "every CPU";
}

TEST(Timerlat, DurationCoversTheLoops) {
  EXPECT_EQ(timerlat_duration_s(6000, 1000), 6U);
  EXPECT_EQ(timerlat_duration_s(1000, 1000), 1U);
  EXPECT_EQ(timerlat_duration_s(1001, 1000), 2U) << "rounded up: whole seconds";
  EXPECT_EQ(timerlat_duration_s(10, 100), 1U) << "at least one second";
  EXPECT_EQ(timerlat_duration_s(0, 1000), 1U);
  EXPECT_GT(timerlat_duration_s(~0ULL, 1000000), 0U) << "no overflow";
}

Timerlat SomeTimerlat() {
  Timerlat t;
  t.available = true;
  t.reason.clear();
  t.settings.duration_s = 2;
  t.settings.priority = 80;
  t.settings.cpus = {0};
  t.command = "rtla timerlat hist -d 2";
  t.result = parse_timerlat_hist(data("6.12-rt-cpu0.txt"));
  return t;
}

TEST(Timerlat, ReportCarriesItBesideTheFloor) {
  Report r;
  r.timerlat = SomeTimerlat();
  const auto j = to_json(r);
  ASSERT_TRUE(j["timerlat"].is_object());
  EXPECT_EQ(j["timerlat_reason"], "");
  EXPECT_EQ(j["timerlat"]["irq"]["samples"], 1911);
  EXPECT_EQ(j["timerlat"]["thread"]["latency_ns"]["n"], 1911);
  EXPECT_EQ(j["timerlat"]["irq"]["latency_ns"]["max"], 5435999);
  EXPECT_EQ(j["timerlat"]["settings"]["duration_s"], 2);
  EXPECT_EQ(j["timerlat"]["settings"]["period_us"], 1000);
  EXPECT_EQ(j["timerlat"]["settings"]["policy"], "SCHED_FIFO");
  EXPECT_EQ(j["timerlat"]["settings"]["priority"], 80);
  EXPECT_EQ(j["timerlat"]["settings"]["cpus"], nlohmann::json::array({0}));
  EXPECT_EQ(j["timerlat"]["cpus"], nlohmann::json::array({0}));
  EXPECT_TRUE(j["floor"].is_object()) << "the cyclictest floor keeps its key";
  const std::string t = format_table(r);
  EXPECT_NE(t.find("rtla irq"), std::string::npos) << t;
  EXPECT_NE(t.find("~timer_to_top"), std::string::npos) << t;
  EXPECT_NE(t.find("rtla thread"), std::string::npos) << t;
}

TEST(Timerlat, ReportHoldsNullAndTheReasonWithoutTheTracer) {
  Report r;
  r.timerlat.reason = *timerlat_missing_reason(data("6.12-available_tracers"));
  const auto j = to_json(r);
  EXPECT_TRUE(j.contains("timerlat"));
  EXPECT_TRUE(j["timerlat"].is_null());
  EXPECT_NE(j["timerlat_reason"].get<std::string>().find("no timerlat tracer"), std::string::npos);
  EXPECT_NE(format_table(r).find("timerlat: not available: the kernel has no timerlat tracer"),
            std::string::npos);
  // A reason quoting rtla's own bytes must not make the dump throw.
  r.timerlat.reason = "rtla exited with 1: \xff\xfe";
  EXPECT_NO_THROW((void)dump_json(to_json(r)));
}

}  // namespace
}  // namespace irqbridge
