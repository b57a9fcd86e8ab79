#include <fmt/format.h>

#include <string>

#include "irqbridge/report/report.hpp"
#include "irqbridge/run/waiter/waiter.hpp"

namespace irqbridge {
namespace {

std::string with_windows(const ContextSummary& c) {
  if (c.name() == "mixed" || c.name() == "none") return c.name();
  return fmt::format("{} ({})", c.name(), c.windows());
}

std::string reader_line(const ReaderSettings& r) {
  std::string s = r.variant;
  if (uses_io_uring(r.variant) && r.io_uring_setup != "unknown")
    s += " (io_uring " + r.io_uring_setup + ")";
  s += fmt::format(", {}", policy_name(r.policy));
  if (r.policy == SchedPolicy::fifo) s += fmt::format(" {}", r.priority);
  if (r.mlockall) s += " + mlockall";
  if (r.cpu >= 0) s += fmt::format(", CPU {}", r.cpu);
  return s;
}

double us(std::int64_t ns) { return static_cast<double>(ns) / 1000.0; }

// Noise across repetitions: the p50 and p99 of top_to_user as min / median
// / max over the runs.
std::string spread_rows(const Report& report) {
  std::string out = fmt::format("\n{:<16} {:<13} {:>23} {:>23}\n", "spread (us)", "mode",
                                "p50 min/med/max", "p99 min/med/max");
  bool first = true;
  for (const auto& m : report.modes) {
    const Spread a = spread_of(m, Stage::top_to_user, &Summary::p50);
    const Spread b = spread_of(m, Stage::top_to_user, &Summary::p99);
    out += fmt::format("{:<16} {:<13} {:>23} {:>23}\n", first ? "top_to_user" : "", m.mode,
                       fmt::format("{:.1f}/{:.1f}/{:.1f}", us(a.min), us(a.median), us(a.max)),
                       fmt::format("{:.1f}/{:.1f}/{:.1f}", us(b.min), us(b.median), us(b.max)));
    first = false;
  }
  return out;
}

// The worst events of each mode and what made them slow.
std::string outlier_rows(const Report& report) {
  std::string out;
  for (const auto& m : report.modes) {
    const auto worst = m.outliers.worst();
    if (worst.empty()) continue;
    if (out.empty()) out = "\nworst events (timer_to_user) and their dominant stage\n";
    for (std::size_t i = 0; i < worst.size() && i < 3; i++) {
      const Outlier& o = worst[i];
      out += fmt::format("{:<13} {:>9.1f} us  {}: {} (run {}, event {})\n", i == 0 ? m.mode : "",
                         us(o.timer_to_user), cause_name(o.cause), o.why, o.run + 1, o.seq);
    }
    if (m.outliers.threshold_ns() > 0)
      out += fmt::format("{:<13} {} events above {:.1f} us\n", "", m.outliers.above_count(),
                         us(m.outliers.threshold_ns()));
  }
  return out;
}

// "2.5x", or "n/a" against a floor of 0.
std::string ratio_text(std::int64_t value, std::int64_t floor) {
  const auto r = floor_ratio(value, floor);
  return r ? fmt::format("{:.1f}x", *r) : std::string("n/a");
}

// The cyclictest floor and each mode's timer_to_user as a multiple of it.
std::string floor_rows(const Report& report) {
  const Floor& f = report.floor;
  if (!f.available) return fmt::format("\nfloor: {} not available: {}\n", f.tool, f.reason);
  const Summary fs = f.histogram.summary();
  std::string out = fmt::format("\n{:<16} {:<13} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
                                "floor (us)", "", "n", "p50", "p90", "p99", "p99.9", "max");
  out += fmt::format("{:<16} {:<13} {:>7} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f}\n", f.tool,
                     "expiry->user", fs.n, us(fs.p50), us(fs.p90), us(fs.p99), us(fs.p999),
                     us(fs.max));
  bool first = true;
  for (const auto& m : report.modes) {
    const Summary& s = m.latency[static_cast<std::size_t>(Stage::timer_to_user)];
    out += fmt::format("{:<16} {:<13} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
                       first ? "vs floor" : "", m.mode, s.n, ratio_text(s.p50, fs.p50),
                       ratio_text(s.p90, fs.p90), ratio_text(s.p99, fs.p99),
                       ratio_text(s.p999, fs.p999), ratio_text(s.max, fs.max));
    first = false;
  }
  return out;
}

// The kernel's own measurement of the same timer (rtla timerlat), beside
// the modes' timer_to_top (its IRQ latency) and cyclictest (its thread
// latency).
std::string timerlat_rows(const Report& report) {
  const Timerlat& t = report.timerlat;
  if (!t.available) return fmt::format("\ntimerlat: not available: {}\n", t.reason);
  std::string out = fmt::format("\n{:<16} {:<13} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
                                "timerlat (us)", "", "n", "p50", "p90", "p99", "p99.9", "max");
  auto row = [&out](const char* what, const char* beside, const Summary& s) {
    out += fmt::format("{:<16} {:<13} {:>7} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f}\n", what,
                       beside, s.n, us(s.p50), us(s.p90), us(s.p99), us(s.p999), us(s.max));
  };
  row("rtla irq", "~timer_to_top", t.result.irq.histogram.summary());
  row("rtla thread", "~cyclictest", t.result.thread.histogram.summary());
  bool first = true;
  for (const auto& m : report.modes) {
    row(first ? "timer_to_top" : "", m.mode.c_str(),
        m.latency[static_cast<std::size_t>(Stage::timer_to_top)]);
    first = false;
  }
  if (report.floor.available) row("cyclictest", "expiry->user", report.floor.histogram.summary());
  out += fmt::format("({})\n", t.command);
  return out;
}

std::string cpu_set(const ContextSummary& c) {
  std::string out;
  for (auto cpu : c.cpus()) out += (out.empty() ? "" : ",") + std::to_string(cpu);
  return out.empty() ? "-" : out;
}

double percent(std::uint64_t part, std::uint64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// --cpus: each CPU's counts, where its stages ran, and its latencies.
std::string per_cpu_rows(const Report& report) {
  if (report.cpu_list.empty()) return {};
  std::string out = fmt::format(
      "\n{:<13} {:>4} {:>8} {:>8} {:>6} {:>8} {:>11} {:>10} {:>9} {:>9}\n", "per CPU", "cpu",
      "fired", "counted", "exact", "top on", "bottom on", "cross-CPU", "p50 (us)", "p99 (us)");
  for (const auto& m : report.modes) {
    bool first = true;
    for (const ModeResult& q : m.per_cpu) {
      const std::uint64_t cross = q.chain_mode ? q.chain_cross_cpu : q.bottom_cross_cpu;
      const Summary& s = q.latency[static_cast<std::size_t>(Stage::timer_to_user)];
      out += fmt::format(
          "{:<13} {:>4} {:>8} {:>8} {:>6} {:>8} {:>11} {:>9.1f}% {:>9.1f} {:>9.1f}\n",
          first ? m.mode : "", q.cpu, q.kernel.fired, q.kernel.counted, q.exact() ? "yes" : "NO",
          cpu_set(q.top), cpu_set(q.chain_mode ? q.chain : q.bottom), percent(cross, q.records),
          us(s.p50), us(s.p99));
      first = false;
    }
  }
  out +=
      "(bottom on: CPUs of the signalling stage; cross-CPU: events it ran on another CPU "
      "than their top half; latency: timer_to_user)\n";
  return out;
}

}  // namespace

std::string format_table(const Report& report) {
  std::string out =
      fmt::format("irqbridge: {} events, period {} us, kernel {}, {} CPUs ({}), reader {}\n",
                  report.events, us(static_cast<std::int64_t>(report.period_ns)), report.kernel,
                  report.cpus, report.accel, reader_line(report.reader));
  if (report.warmup || report.repetitions > 1 || report.load != "none" || report.timer_cpu >= 0)
    out += fmt::format(
        "warm-up {} events per run discarded, {} repetition(s), load {}, timer CPU {}\n",
        report.warmup, report.repetitions, report.load,
        report.timer_cpu >= 0 ? std::to_string(report.timer_cpu) : "any");
  if (!report.cpu_list.empty()) {
    std::string list;
    for (int c : report.cpu_list) list += (list.empty() ? "" : ",") + std::to_string(c);
    out += fmt::format("per-CPU run on CPUs {}: a pinned timer, a channel and a reader on each\n",
                       list);
  }
  if (report.work_ns || report.sleep_us)
    out += fmt::format("bottom-half work: {} ns busy per event, {} us sleep per run\n",
                       report.work_ns, report.sleep_us);

  bool any_chain = false;
  for (const auto& m : report.modes) any_chain = any_chain || m.chain_mode;

  out += fmt::format("\n{:<13} {:<8} {:<18} {:<26}{} {:>8} {:>8} {:>8} {:>8} {:>6}\n", "mode",
                     "source", "top half", "bottom half",
                     any_chain ? fmt::format(" {:<21}", "second hop") : "", "fired", "counted",
                     "wakeups", "bh runs", "lost");
  for (const auto& m : report.modes) {
    std::string chain;
    if (any_chain) chain = fmt::format(" {:<21}", m.chain_mode ? with_windows(m.chain) : "-");
    out += fmt::format("{:<13} {:<8} {:<18} {:<26}{} {:>8} {:>8} {:>8} {:>8} {:>6}{}\n", m.mode,
                       m.source, with_windows(m.top), with_windows(m.bottom), chain, m.kernel.fired,
                       m.kernel.counted, m.wakeups, m.kernel.bottom_runs, m.overruns(),
                       m.exact() ? "" : "  COUNT MISMATCH");
  }

  out += fmt::format("\n{:<16} {:<13} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "latency (us)",
                     "mode", "n", "p50", "p90", "p99", "p99.9", "max");
  auto stage_rows = [&](Stage stage) {
    bool first = true;
    for (const auto& m : report.modes) {
      if (stage == Stage::bottom_to_chain && !m.chain_mode) continue;
      const Summary& s = m.latency[static_cast<std::size_t>(stage)];
      out += fmt::format("{:<16} {:<13} {:>7} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f}\n",
                         first ? std::string(stage_name(stage)) : "", m.mode, s.n, us(s.p50),
                         us(s.p90), us(s.p99), us(s.p999), us(s.max));
      first = false;
    }
  };
  bool any_device = false;
  for (const auto& m : report.modes) any_device = any_device || m.source != "timer";
  // A raised interrupt has one more stage: from the raise to its handler.
  if (any_device) stage_rows(Stage::raise_to_top);
  for (Stage stage : kMainStages) stage_rows(stage);
  if (any_chain) stage_rows(Stage::bottom_to_chain);
  stage_rows(Stage::timer_to_user);
  out += per_cpu_rows(report);
  if (report.repetitions > 1) out += spread_rows(report);
  out += outlier_rows(report);
  out += floor_rows(report);
  out += timerlat_rows(report);
  return out;
}

}  // namespace irqbridge
