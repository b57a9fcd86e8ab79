#include "irqbridge/run/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/list.hpp"

namespace irqbridge {

double SweepPoint::wakeups_per_event() const {
  return kernel.fired ? static_cast<double>(wakeups) / static_cast<double>(kernel.fired) : 0.0;
}

SweepPoint sweep_point(const ModeResult& m, std::uint64_t period_ns) {
  SweepPoint p;
  p.mode = m.mode;
  p.source = m.source;
  p.period_ns = period_ns;
  static_cast<Counts&>(p) = m;
  p.latency = m.latency;
  return p;
}

std::vector<std::uint64_t> parse_periods_us(const std::string& list) {
  std::vector<std::uint64_t> out;
  if (list.empty()) throw Error("--periods-us: no period given");
  for (const std::string_view text : split_list(list)) {
    const std::string item(text);
    double us = 0;
    std::size_t used = 0;
    try {
      us = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size())
      throw Error("--periods-us: '" + item + "' is not a number of microseconds");
    const double ns = std::round(us * 1000.0);
    if (!(ns >= static_cast<double>(IRQBRIDGE_PERIOD_MIN_NS)) ||
        ns > static_cast<double>(IRQBRIDGE_PERIOD_MAX_NS))
      throw Error(fmt::format("--periods-us: {} is outside {} .. {} us", item,
                              IRQBRIDGE_PERIOD_MIN_NS / 1000, IRQBRIDGE_PERIOD_MAX_NS / 1000));
    out.push_back(static_cast<std::uint64_t>(ns));
  }
  return out;
}

namespace {

nlohmann::json point_json(const SweepPoint& p) {
  nlohmann::json lat = nlohmann::json::object();
  // The main stages and the whole path (the JSON object sorts its keys).
  std::vector<Stage> stages(kMainStages.begin(), kMainStages.end());
  stages.push_back(Stage::timer_to_user);
  for (Stage st : stages)
    lat[std::string(stage_name(st))] = stats_json(p.latency[static_cast<std::size_t>(st)]);
  nlohmann::json j = counts_json(p);
  j.update({{"mode", p.mode},
            {"source", p.source},
            {"period_ns", p.period_ns},
            {"rate_hz", 1e9 / static_cast<double>(p.period_ns)},
            {"exact", p.exact()},  // false for a failed run
            {"wakeups_per_event", p.wakeups_per_event()},
            {"bottom_runs", p.kernel.bottom_runs},
            {"max_batch", p.kernel.max_batch},
            {"ring_overruns", p.ring_overruns},
            {"latency_ns", lat}});
  if (!p.error.empty()) j["error"] = p.error;
  return j;
}

}  // namespace

nlohmann::json to_json(const SweepReport& r) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : r.points) points.push_back(point_json(p));
  return {{"schema", kSweepSchema},
          {"kernel", r.kernel},
          {"version", r.version},
          {"module_version", r.module_version},
          {"events", r.events},
          {"cpus", r.cpus},
          {"accel", r.accel},
          {"load", r.load},
          {"reader", reader_json(r.reader)},
          {"points", points}};
}

std::string format_table(const SweepReport& r) {
  auto us = [](std::int64_t ns) { return static_cast<double>(ns) / 1000.0; };
  std::string out = fmt::format(
      "irqbridge sweep: {} events per point, kernel {}, {} CPUs ({}), load {}, reader {} {}\n\n",
      r.events, r.kernel, r.cpus, r.accel, r.load, r.reader.variant, policy_name(r.reader.policy));
  out += fmt::format("{:>10} {:>9} {:<13} {:>9} {:>9} {:>9} {:>7} {:>6} {:>6} {:>10} {:>10}\n",
                     "period us", "rate/s", "mode", "fired", "counted", "wake/ev", "batch", "lost",
                     "t-ovr", "p50 us", "p99 us");
  for (const auto& p : r.points) {
    const Summary& s = p.latency[static_cast<std::size_t>(Stage::top_to_user)];
    out += fmt::format(
        "{:>10.1f} {:>9.0f} {:<13} {:>9} {:>9} {:>9.3f} {:>7} {:>6} {:>6} {:>10.1f} {:>10.1f}{}\n",
        static_cast<double>(p.period_ns) / 1000.0, 1e9 / static_cast<double>(p.period_ns), p.mode,
        p.kernel.fired, p.kernel.counted, p.wakeups_per_event(), p.kernel.max_batch,
        p.kernel.records_lost, p.kernel.timer_overruns, us(s.p50), us(s.p99),
        !p.error.empty() ? "  FAILED: " + p.error
                         : (p.exact() ? std::string() : std::string("  COUNT MISMATCH")));
  }
  out +=
      "\nwake/ev: eventfd wake-ups per event (1 = each event woke the reader; lower = the\n"
      "mechanism coalesced); batch: most events one bottom half took; lost: records\n"
      "overrun; t-ovr: timer periods the guest skipped; latencies: top_to_user.\n";
  return out;
}

}  // namespace irqbridge
