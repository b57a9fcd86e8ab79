#include "irqbridge/run/bench.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace irqbridge {

bool sustained(const SweepPoint& p) {
  return p.exact() && p.kernel.records_lost == 0 &&
         p.kernel.timer_overruns * kSkippedPerHundred <= p.kernel.fired;
}

std::vector<SustainedRate> sustained_rates(std::span<const SweepPoint> points) {
  std::vector<SustainedRate> out;
  for (const auto& p : points) {
    SustainedRate* r = nullptr;
    for (auto& x : out)
      if (x.mode == p.mode) r = &x;
    if (r == nullptr) {
      out.push_back({p.mode, false, 0});
      r = &out.back();
    }
    if (sustained(p) && (!r->found || p.period_ns < r->period_ns)) {
      r->found = true;
      r->period_ns = p.period_ns;
    }
  }
  return out;
}

double TopHalfCost::mean_ns() const {
  return cost.top_halves
             ? static_cast<double>(cost.top_ns_total) / static_cast<double>(cost.top_halves)
             : 0.0;
}

double RecordsOverhead::ratio() const {
  return without_ns > 0.0 ? (with_ns - without_ns) / without_ns : 0.0;
}

bool RecordsOverhead::within() const { return measured && ratio() <= kRecordsOverheadMax; }

std::string_view RecordsOverhead::pairs_verdict() const {
  if (!pairs.has_ci) return "undecided";
  if (pairs.hi <= kRecordsOverheadMax) return "within";
  if (pairs.lo > kRecordsOverheadMax) return "above";
  return "undecided";
}

namespace {

RecordsOverhead overhead_against_none(std::span<const TopHalfCost> runs, Records measured) {
  RecordsOverhead o;
  std::vector<double> with, without;
  // The current group: its run of the measured kind, its run without, and
  // whether it has had an unread run (the kind neither side uses).
  const TopHalfCost* g_with = nullptr;
  const TopHalfCost* g_without = nullptr;
  bool g_other = false;
  auto close = [&] {
    if (g_with != nullptr && g_without != nullptr)
      o.pair_ratios.push_back(g_with->mean_ns() / g_without->mean_ns() - 1.0);
    g_with = g_without = nullptr;
    g_other = false;
  };
  for (const auto& t : runs) {
    if (t.cost.top_halves == 0) {
      close();  // a run without top halves breaks its group
      continue;
    }
    const Records k = t.records;
    const TopHalfCost** slot = k == measured ? &g_with : k == Records::kOff ? &g_without : nullptr;
    if (slot != nullptr ? *slot != nullptr : g_other) close();  // the kind repeats
    if (slot != nullptr) {
      *slot = &t;
    } else {
      g_other = true;
      continue;
    }
    if (o.mode.empty()) o.mode = t.mode;
    (k == measured ? with : without).push_back(t.mean_ns());
  }
  close();
  o.pairs = median_ci95(o.pair_ratios);
  o.runs_with = static_cast<unsigned>(with.size());
  o.runs_without = static_cast<unsigned>(without.size());
  if (with.empty() || without.empty()) return o;
  o.measured = true;
  o.with_ns = median(std::move(with));
  o.without_ns = median(std::move(without));
  return o;
}

}  // namespace

RecordsOverhead records_overhead(std::span<const TopHalfCost> runs) {
  return overhead_against_none(runs, Records::kRead);
}

RecordsOverhead records_write_overhead(std::span<const TopHalfCost> runs) {
  return overhead_against_none(runs, Records::kUnread);
}

double ReaderCost::per_wakeup_ns() const {
  return wakeups ? static_cast<double>(cpu_ns) / static_cast<double>(wakeups) : 0.0;
}

double CpuScaling::cpu_ns_per_event() const {
  return events ? static_cast<double>(reader_cpu_ns) / static_cast<double>(events) : 0.0;
}

void StormPoint::add(const irqbridge_record& r) {
  if (records == 0 || r.seq < first_seq) {
    first_seq = r.seq;
    first_top_ns = r.top_ns;
  }
  if (records == 0 || r.seq > last_seq) {
    last_seq = r.seq;
    last_top_ns = r.top_ns;
  }
  records++;
  // The signalling stage's context: the chain's second hop when there is one.
  const irqbridge_context& ctx = r.chain.flags != 0 ? r.chain : r.bottom;
  if (ctx.flags & IRQBRIDGE_CTX_SOFTIRQ) bottom_softirq++;
  if (ctx.flags & IRQBRIDGE_CTX_KSOFTIRQD) bottom_ksoftirqd++;
  if (ctx.flags & IRQBRIDGE_CTX_TASK) bottom_task++;
  if (r.bottom.cpu != r.top.cpu) bottom_cross_cpu++;
  std::size_t bin = 0;
  for (std::uint32_t b = r.batch; b > 1 && bin + 1 < kStormBatchBins; b >>= 1) bin++;
  batch_events[bin]++;
}

bool StormPoint::exact() const {
  return error.empty() && Counts::exact() && kernel.raised == kernel.fired &&
         kernel.fired == events && kernel.error == 0;
}

double StormPoint::offered_per_s() const {
  return period_ns ? 1e9 * static_cast<double>(burst) / static_cast<double>(period_ns) : 0.0;
}

double StormPoint::absorbed_per_s() const {
  if (records < 2 || last_top_ns <= first_top_ns) return 0.0;
  return 1e9 * static_cast<double>(last_seq - first_seq) /
         static_cast<double>(last_top_ns - first_top_ns);
}

double StormPoint::mean_batch() const {
  return kernel.bottom_runs
             ? static_cast<double>(kernel.fired) / static_cast<double>(kernel.bottom_runs)
             : 0.0;
}

double StormPoint::ksoftirqd_share() const {
  return bottom_softirq
             ? static_cast<double>(bottom_ksoftirqd) / static_cast<double>(bottom_softirq)
             : 0.0;
}

void StormAllCpus::add(const irqbridge_record& r) {
  for (auto& p : per_cpu)
    if (p.cpu >= 0 && static_cast<std::uint32_t>(p.cpu) == r.top.cpu) {
      p.add(r);
      return;
    }
}

Counts StormAllCpus::total() const {
  Counts sum;
  for (const auto& p : per_cpu) sum += p;
  return sum;
}

bool StormAllCpus::exact() const {
  if (!error.empty() || per_cpu.empty()) return false;
  return std::all_of(per_cpu.begin(), per_cpu.end(), [](const StormPoint& p) { return p.exact(); });
}

double StormAllCpus::offered_per_s() const {
  double sum = 0.0;
  for (const auto& p : per_cpu) sum += p.offered_per_s();
  return sum;
}

double StormAllCpus::absorbed_per_s() const {
  std::uint64_t top_halves = 0, first = 0, last = 0;
  bool any = false;
  for (const auto& p : per_cpu) {
    if (p.records < 2 || p.last_top_ns <= p.first_top_ns) continue;
    top_halves += p.last_seq - p.first_seq;
    first = any ? std::min(first, p.first_top_ns) : p.first_top_ns;
    last = any ? std::max(last, p.last_top_ns) : p.last_top_ns;
    any = true;
  }
  if (!any) return 0.0;
  return 1e9 * static_cast<double>(top_halves) / static_cast<double>(last - first);
}

double StormAllCpus::mean_batch() const {
  const Counts t = total();
  return t.kernel.bottom_runs
             ? static_cast<double>(t.kernel.fired) / static_cast<double>(t.kernel.bottom_runs)
             : 0.0;
}

double StormAllCpus::ksoftirqd_share() const {
  std::uint64_t softirq = 0, ksoftirqd = 0;
  for (const auto& p : per_cpu) {
    softirq += p.bottom_softirq;
    ksoftirqd += p.bottom_ksoftirqd;
  }
  return softirq ? static_cast<double>(ksoftirqd) / static_cast<double>(softirq) : 0.0;
}

std::vector<unsigned> scaling_steps(long online) {
  std::vector<unsigned> steps;
  for (long n : {1L, 2L, online})
    if (n >= 1 && n <= online && (steps.empty() || steps.back() < n))
      steps.push_back(static_cast<unsigned>(n));
  return steps;
}

namespace {

double top_half_mean_ns(const irqbridge_cost& c) {
  return c.top_halves ? static_cast<double>(c.top_ns_total) / static_cast<double>(c.top_halves)
                      : 0.0;
}

nlohmann::json storm_json(const StormPoint& p) {
  nlohmann::json j = counts_json(p);
  j.update({{"mode", p.mode},
            {"source", p.source},
            {"period_ns", p.period_ns},
            {"burst", p.burst},
            {"events", p.events},
            {"exact", p.exact()},
            {"offered_per_s", p.offered_per_s()},
            {"absorbed_per_s", p.absorbed_per_s()},
            {"mean_batch", p.mean_batch()},
            {"max_batch", p.kernel.max_batch},
            {"raised", p.kernel.raised},
            {"source_busy", p.kernel.source_busy},
            {"throttled", p.kernel.throttled},
            {"bottom_runs", p.kernel.bottom_runs},
            {"empty_runs", p.kernel.empty_runs},
            {"records_lost", p.kernel.records_lost},
            {"batch_events_log2", p.batch_events},
            {"records_seen", p.records},
            {"bottom_softirq", p.bottom_softirq},
            {"bottom_ksoftirqd", p.bottom_ksoftirqd},
            {"ksoftirqd_share", p.ksoftirqd_share()},
            {"bottom_task", p.bottom_task},
            {"bottom_cross_cpu", p.bottom_cross_cpu}});
  // The top halves' own time (the raise excluded): a top half that waits,
  // e.g. for a lock another vCPU holds, shows in the max.
  j["top_half_mean_ns"] = top_half_mean_ns(p.cost);
  j["top_half_max_ns"] = p.cost.top_ns_max;
  if (p.cpu >= 0) j["cpu"] = p.cpu;
  if (!p.error.empty()) j["error"] = p.error;
  return j;
}

}  // namespace

namespace {

nlohmann::json overhead_json(const RecordsOverhead& ro) {
  nlohmann::json j = {{"measured", ro.measured},
                      {"mode", ro.mode},
                      {"runs_with", ro.runs_with},
                      {"runs_without", ro.runs_without},
                      {"with_ns", ro.with_ns},
                      {"without_ns", ro.without_ns},
                      {"ratio", ro.ratio()},
                      {"limit", kRecordsOverheadMax},
                      {"within_limit", ro.within()},
                      {"pairs", ro.pair_ratios.size()},
                      {"pair_ratios", ro.pair_ratios},
                      {"pair_median_ratio", ro.pairs.median},
                      {"pairs_verdict", ro.pairs_verdict()}};
  if (ro.pairs.has_ci) j["pair_ratio_ci95"] = {ro.pairs.lo, ro.pairs.hi};
  return j;
}

std::string pairs_line(const RecordsOverhead& ro) {
  if (!ro.pairs.has_ci)
    return fmt::format(
        "  each group's runs: median {:+.1f} % over {} pairs (no 95 % interval below 6)\n",
        100.0 * ro.pairs.median, ro.pair_ratios.size());
  return fmt::format(
      "  each group's runs: median {:+.1f} % over {} pairs, 95 % interval {:+.1f} to {:+.1f} %: "
      "{}\n",
      100.0 * ro.pairs.median, ro.pair_ratios.size(), 100.0 * ro.pairs.lo, 100.0 * ro.pairs.hi,
      ro.pairs_verdict());
}

}  // namespace

nlohmann::json to_json(const BenchReport& r) {
  nlohmann::json rates = nlohmann::json::object();
  for (const auto& s : sustained_rates(r.rate_search))
    rates[s.mode] = {{"sustained", s.found},
                     {"period_ns", s.period_ns},
                     {"rate_hz", s.found ? 1e9 / static_cast<double>(s.period_ns) : 0.0}};
  nlohmann::json search = nlohmann::json::array();
  for (const auto& p : r.rate_search) {
    nlohmann::json j = counts_json(p);
    j.update({{"mode", p.mode},
              {"period_ns", p.period_ns},
              {"exact", p.exact()},  // false for a failed run
              {"sustained", sustained(p)},
              {"throttled", p.kernel.throttled}});
    if (!p.error.empty()) j["error"] = p.error;
    search.push_back(j);
  }
  nlohmann::json top = nlohmann::json::array();
  for (const auto& t : r.top_half)
    top.push_back({{"mode", t.mode},
                   {"records", t.records != Records::kOff},
                   {"records_unread", t.records == Records::kUnread},
                   {"top_halves", t.cost.top_halves},
                   {"mean_ns", t.mean_ns()},
                   {"max_ns", t.cost.top_ns_max}});
  const nlohmann::json overhead = overhead_json(records_overhead(r.top_half));
  const nlohmann::json write_overhead = overhead_json(records_write_overhead(r.top_half));
  nlohmann::json readers = nlohmann::json::array();
  for (const auto& c : r.readers)
    readers.push_back({{"variant", c.variant},
                       {"wakeups", c.wakeups},
                       {"cpu_ns", c.cpu_ns},
                       {"cpu_ns_per_wakeup", c.per_wakeup_ns()},
                       {"exact", c.exact}});
  nlohmann::json scaling = nlohmann::json::array();
  for (const auto& c : r.cpu_scaling)
    scaling.push_back({{"mode", c.mode},
                       {"cpus", c.cpus},
                       {"events", c.events},
                       {"wakeups", c.wakeups},
                       {"reader_cpu_ns", c.reader_cpu_ns},
                       {"reader_cpu_ns_per_event", c.cpu_ns_per_event()},
                       {"ring_bytes", c.ring_bytes},
                       {"rss_kb", c.rss_kb},
                       {"exact", c.exact}});
  nlohmann::json storm = nlohmann::json::array();
  for (const auto& p : r.storm) storm.push_back(storm_json(p));
  nlohmann::json all_cpus = nlohmann::json::array();
  for (const auto& a : r.storm_all_cpus) {
    const Counts t = a.total();
    nlohmann::json per_cpu = nlohmann::json::array();
    for (const auto& p : a.per_cpu) per_cpu.push_back(storm_json(p));
    std::uint64_t cross = 0, task = 0, softirq = 0, ksoftirqd = 0;
    for (const auto& p : a.per_cpu) {
      cross += p.bottom_cross_cpu;
      task += p.bottom_task;
      softirq += p.bottom_softirq;
      ksoftirqd += p.bottom_ksoftirqd;
    }
    nlohmann::json j = {{"mode", a.mode},
                        {"source", a.source},
                        {"cpus", a.per_cpu.size()},
                        {"period_ns", a.period_ns},
                        {"burst", a.burst},
                        {"events_per_cpu", a.events_per_cpu},
                        {"exact", a.exact()},
                        {"offered_per_s", a.offered_per_s()},
                        {"absorbed_per_s", a.absorbed_per_s()},
                        {"fired", t.kernel.fired},
                        {"counted", t.kernel.counted},
                        {"raised", t.kernel.raised},
                        {"reader_total", t.reader_total},
                        {"mean_batch", a.mean_batch()},
                        {"max_batch", t.kernel.max_batch},
                        {"bottom_runs", t.kernel.bottom_runs},
                        {"empty_runs", t.kernel.empty_runs},
                        {"timer_overruns", t.kernel.timer_overruns},
                        {"throttled", t.kernel.throttled},
                        {"source_busy", t.kernel.source_busy},
                        {"records_lost", t.kernel.records_lost},
                        {"bottom_softirq", softirq},
                        {"bottom_ksoftirqd", ksoftirqd},
                        {"ksoftirqd_share", a.ksoftirqd_share()},
                        {"bottom_task", task},
                        {"bottom_cross_cpu", cross},
                        {"top_half_mean_ns", top_half_mean_ns(t.cost)},
                        {"top_half_max_ns", t.cost.top_ns_max},
                        {"per_cpu", per_cpu}};
    if (!a.error.empty()) j["error"] = a.error;
    all_cpus.push_back(j);
  }
  return {{"schema", kBenchSchema},
          {"kernel", r.kernel},
          {"version", r.version},
          {"module_version", r.module_version},
          {"cpus", r.cpus},
          {"accel", r.accel},
          {"events", r.events},
          {"reader", reader_json(r.reader)},
          {"max_sustained_rate", rates},
          {"rate_search", search},
          {"top_half_cost", top},
          {"top_half_period_ns", r.top_half_period_ns},
          {"records_overhead", overhead},
          {"records_write_overhead", write_overhead},
          {"reader_cost", readers},
          {"reader_period_ns", r.reader_period_ns},
          {"cpu_scaling", scaling},
          {"storm", storm},
          {"storm_all_cpus", all_cpus}};
}

std::string format_table(const BenchReport& r) {
  std::string out = fmt::format(
      "irqbridge bench: {} events per run, kernel {}, {} CPUs ({}), reader {}, "
      "io_uring setup {}\n",
      r.events, r.kernel, r.cpus, r.accel, policy_name(r.reader.policy), r.reader.io_uring_setup);
  if (!r.rate_search.empty())
    out += fmt::format(
        "\n{:<14} {:>22}   (every event counted, no record lost, <1% periods skipped)\n", "mode",
        "highest sustained rate");
  for (const auto& s : sustained_rates(r.rate_search)) {
    out += s.found ? fmt::format("{:<14} {:>14.0f} /s at {:g} us\n", s.mode,
                                 1e9 / static_cast<double>(s.period_ns),
                                 static_cast<double>(s.period_ns) / 1000.0)
                   : fmt::format("{:<14} {:>22}\n", s.mode, "none of the periods");
  }
  if (!r.top_half.empty())
    out += fmt::format("\n{:<14} {:<9} {:>10} {:>12} {:>12}   (period {:g} us)\n", "top half",
                       "records", "events", "mean ns", "max ns",
                       static_cast<double>(r.top_half_period_ns) / 1000.0);
  for (const auto& t : r.top_half)
    out += fmt::format("{:<14} {:<9} {:>10} {:>12.0f} {:>12}\n", t.mode,
                       t.records == Records::kOff      ? "off"
                       : t.records == Records::kUnread ? "unread"
                                                       : "on",
                       t.cost.top_halves, t.mean_ns(), t.cost.top_ns_max);
  if (const RecordsOverhead ro = records_overhead(r.top_half); ro.measured)
    out += fmt::format(
        "records overhead: {:+.1f} % of the top half without records ({:.0f} vs {:.0f} ns, "
        "medians of {} and {} runs; limit {:+.0f} %){}\n",
        100.0 * ro.ratio(), ro.with_ns, ro.without_ns, ro.runs_with, ro.runs_without,
        100.0 * kRecordsOverheadMax, ro.within() ? "" : "  ABOVE THE LIMIT");
  if (const RecordsOverhead ro = records_overhead(r.top_half); !ro.pair_ratios.empty())
    out += pairs_line(ro);
  if (const RecordsOverhead ro = records_write_overhead(r.top_half); ro.measured)
    out += fmt::format(
               "records written, never read: {:+.1f} % ({:.0f} vs {:.0f} ns): what writing them "
               "costs the top half itself\n",
               100.0 * ro.ratio(), ro.with_ns, ro.without_ns) +
           pairs_line(ro);
  if (!r.readers.empty())
    out += fmt::format(
        "\n{:<14} {:>10} {:>16}   (reader CPU per wake-up, tasklet, period {:g} us)\n", "reader",
        "wake-ups", "CPU ns/wake-up", static_cast<double>(r.reader_period_ns) / 1000.0);
  for (const auto& c : r.readers)
    out += fmt::format("{:<14} {:>10} {:>16.0f}{}\n", c.variant, c.wakeups, c.per_wakeup_ns(),
                       c.exact ? "" : "  COUNT MISMATCH");
  if (!r.cpu_scaling.empty())
    out += fmt::format(
        "\n{:<14} {:>5} {:>10} {:>14} {:>16} {:>12} {:>10}   (--cpus, {}, period {:g} us)\n",
        "per-CPU cost", "CPUs", "events", "reader CPU ms", "CPU ns/event", "rings (KiB)",
        "RSS (KiB)", r.cpu_scaling.front().mode, static_cast<double>(r.reader_period_ns) / 1000.0);
  for (const auto& c : r.cpu_scaling)
    out += fmt::format("{:<14} {:>5} {:>10} {:>14.1f} {:>16.0f} {:>12} {:>10}{}\n", "", c.cpus,
                       c.events, static_cast<double>(c.reader_cpu_ns) / 1e6, c.cpu_ns_per_event(),
                       c.ring_bytes / 1024, c.rss_kb, c.exact ? "" : "  COUNT MISMATCH");
  if (!r.storm.empty())
    out += fmt::format(
        "\n{:<14} {:<8} {:>6} {:>10} {:>12} {:>12} {:>10} {:>6} {:>11}   (storm: top halves "
        "back to back per expiry)\n",
        "storm", "source", "burst", "events", "offered /s", "absorbed /s", "mean batch", "max",
        "ksoftirqd");
  for (const auto& p : r.storm)
    out += fmt::format(
        "{:<14} {:<8} {:>6} {:>10} {:>12.0f} {:>12.0f} {:>10.1f} {:>6} {:>10.0f}%{}\n", p.mode,
        p.source, p.burst, p.kernel.fired, p.offered_per_s(), p.absorbed_per_s(), p.mean_batch(),
        p.kernel.max_batch, 100.0 * p.ksoftirqd_share(),
        p.exact() ? "" : (p.error.empty() ? "  COUNT MISMATCH" : "  FAILED"));
  if (!r.storm_all_cpus.empty())
    out += fmt::format(
        "\n{:<14} {:>5} {:>10} {:>12} {:>12} {:>10} {:>6} {:>11} {:>10}   (the storm on every "
        "CPU at once; per CPU: absorbed /s)\n",
        "storm, all", "CPUs", "events", "offered /s", "absorbed /s", "mean batch", "max",
        "ksoftirqd", "overruns");
  for (const auto& a : r.storm_all_cpus) {
    const Counts t = a.total();
    std::string per_cpu;
    for (const auto& p : a.per_cpu)
      per_cpu += fmt::format("  cpu{} {:.0f}", p.cpu, p.absorbed_per_s());
    out += fmt::format(
        "{:<14} {:>5} {:>10} {:>12.0f} {:>12.0f} {:>10.1f} {:>6} {:>10.0f}% {:>10}{}{}\n", a.mode,
        a.per_cpu.size(), t.kernel.fired, a.offered_per_s(), a.absorbed_per_s(), a.mean_batch(),
        t.kernel.max_batch, 100.0 * a.ksoftirqd_share(), t.kernel.timer_overruns, per_cpu,
        a.exact() ? "" : (a.error.empty() ? "  COUNT MISMATCH" : "  FAILED"));
  }
  return out;
}

}  // namespace irqbridge
