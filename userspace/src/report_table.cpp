#include <fmt/format.h>

#include <string>

#include "irqbridge/report.hpp"

namespace irqbridge {
namespace {

std::string with_windows(const ContextSummary& c) {
  if (c.name() == "mixed" || c.name() == "none") return c.name();
  return fmt::format("{} ({})", c.name(), c.windows());
}

std::string reader_line(const ReaderSettings& r) {
  std::string s = r.policy;
  if (r.policy == "SCHED_FIFO") s += fmt::format(" {}", r.priority);
  if (r.mlockall) s += " + mlockall";
  if (r.cpu >= 0) s += fmt::format(", CPU {}", r.cpu);
  return s;
}

double us(std::int64_t ns) { return static_cast<double>(ns) / 1000.0; }

}  // namespace

std::string format_table(const Report& report) {
  std::string out =
      fmt::format("irqbridge: {} events, period {} us, kernel {}, {} CPUs ({}), reader {}\n",
                  report.events, us(static_cast<std::int64_t>(report.period_ns)), report.kernel,
                  report.cpus, report.accel, reader_line(report.reader));
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
  return out;
}

}  // namespace irqbridge
