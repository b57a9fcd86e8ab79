#include <utility>

#include "irqbridge/abi/modes.hpp"
#include "irqbridge/analysis/histogram.hpp"
#include "irqbridge/report/report.hpp"
#include "irqbridge/run/waiter/waiter.hpp"

namespace irqbridge {

std::string dump_json(const nlohmann::json& doc) {
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1FU;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0FU;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07U;
    }
    bool ok = len != 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; k++) {
      ok = (p[i + k] & 0xC0U) == 0x80U;
      cp = (cp << 6U) | (p[i + k] & 0x3FU);
    }
    // No overlong forms, surrogates or code points past U+10FFFF.
    ok = ok && !(len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) &&
         !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF));
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      i++;
    }
  }
  return out;
}

nlohmann::json stats_json(const Summary& s) {
  return {{"n", s.n},         {"p50", s.p50}, {"p90", s.p90}, {"p99", s.p99},  {"p999", s.p999},
          {"p9999", s.p9999}, {"max", s.max}, {"min", s.min}, {"mean", s.mean}};
}

nlohmann::json counts_json(const Counts& c) {
  return {{"fired", c.kernel.fired},
          {"counted", c.kernel.counted},
          {"reader_total", c.reader_total},
          {"exact", c.exact()},
          {"wakeups", c.wakeups},
          {"overruns", c.kernel.records_lost},
          {"timer_overruns", c.kernel.timer_overruns}};
}

std::string_view policy_name(SchedPolicy policy) {
  return policy == SchedPolicy::fifo ? "SCHED_FIFO" : "SCHED_OTHER";
}

nlohmann::json reader_json(const ReaderSettings& r) {
  return {{"policy", policy_name(r.policy)},
          {"priority", r.priority},
          {"mlockall", r.mlockall},
          {"cpu", r.cpu},
          {"variant", r.variant},
          // What the reader waits on: the eventfd, or the device's own
          // file (the device-read variant).
          {"waits_on", r.variant == "device-read" ? "device" : "eventfd"},
          // Whether that variant waits through an io_uring: io_uring_setup
          // is what this kernel gives one either way (probed), used only
          // when this is true.
          {"io_uring_used", uses_io_uring(r.variant)},
          {"io_uring_setup",
           {{"flags", r.io_uring_setup},
            {"value", r.io_uring_flags},
            {"registered_ring_fd", r.io_uring_registered_ring_fd},
            {"fixed_eventfd", r.io_uring_fixed_eventfd}}}};
}

nlohmann::json histogram_json(const Histogram& h) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [edge, count] : h.buckets()) out.push_back({edge, count});
  return out;
}

namespace {

// The statistics the spread and the floor ratios are given for.
struct NamedStat {
  const char* name;
  std::int64_t Summary::*member;
};
constexpr NamedStat kPercentiles[] = {{"p50", &Summary::p50},     {"p90", &Summary::p90},
                                      {"p99", &Summary::p99},     {"p999", &Summary::p999},
                                      {"p9999", &Summary::p9999}, {"max", &Summary::max}};
// The stages whose whole distribution the report carries.

nlohmann::json spread_json(const ModeResult& m) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < kStageCount; i++) {
    auto stage = static_cast<Stage>(i);
    if (stage == Stage::bottom_to_chain && !m.chain_mode) continue;
    nlohmann::json st = nlohmann::json::object();
    for (const auto& p : kPercentiles) {
      Spread sp = spread_of(m, stage, p.member);
      st[p.name] = {{"min", sp.min}, {"median", sp.median}, {"max", sp.max}};
    }
    out[std::string(stage_name(stage))] = st;
  }
  return out;
}

nlohmann::json runs_json(const ModeResult& m) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : m.runs) {
    nlohmann::json lat = nlohmann::json::object();
    for (Stage st : kUserStages)
      lat[std::string(stage_name(st))] = stats_json(r.latency[static_cast<std::size_t>(st)]);
    nlohmann::json run = counts_json(r);
    run["cpu"] = r.cpu;
    run["latency_ns"] = lat;
    out.push_back(run);
  }
  return out;
}

nlohmann::json vs_floor_json(const ModeResult& m, const Floor& floor) {
  const Summary f = floor.histogram.summary();
  nlohmann::json out = nlohmann::json::object();
  for (Stage st : kUserStages) {
    const Summary& s = m.latency[static_cast<std::size_t>(st)];
    nlohmann::json r = nlohmann::json::object();
    for (const auto& p : kPercentiles) {
      // The key stays; a ratio to a floor of 0 is null ("n/a").
      const auto ratio = floor_ratio(s.*p.member, f.*p.member);
      r[p.name] = ratio ? nlohmann::json(*ratio) : nlohmann::json(nullptr);
    }
    out[std::string(stage_name(st))] = r;
  }
  return out;
}

nlohmann::json outlier_json(const Outlier& o) {
  nlohmann::json stages = {{"to_user", o.to_user}};
  for (std::size_t i = 0; i < kOutlierStages.size(); i++)
    stages[std::string(stage_name(kOutlierStages[i]))] = o.stages_ns[i];
  return {{"run", o.run},
          {"seq", o.seq},
          {"timer_to_user_ns", o.timer_to_user},
          {"stages_ns", stages},
          {"top_cpu", o.top_cpu},
          {"bottom_cpu", o.bottom_cpu},
          {"bottom_in_ksoftirqd", (o.bottom_flags & IRQBRIDGE_CTX_KSOFTIRQD) != 0},
          {"batch", o.batch},
          {"cause", cause_name(o.cause)},
          {"why", o.why}};
}

nlohmann::json outliers_json(const OutlierTracker& t) {
  nlohmann::json worst = nlohmann::json::array();
  for (const Outlier& o : t.worst()) worst.push_back(outlier_json(o));
  nlohmann::json above = nlohmann::json::array();
  for (const Outlier& o : t.above()) above.push_back(outlier_json(o));
  return {{"worst", worst},
          {"threshold_ns", t.threshold_ns()},
          {"above_threshold", t.above_count()},
          {"above", above}};
}

nlohmann::json top_cost_json(const irqbridge_cost& c) {
  return {{"top_halves", c.top_halves},
          {"mean_ns", c.top_halves
                          ? static_cast<double>(c.top_ns_total) / static_cast<double>(c.top_halves)
                          : 0.0},
          {"max_ns", c.top_ns_max}};
}

nlohmann::json floor_json(const Floor& f) {
  // reason quotes cyclictest's own output: any bytes. A dump must not
  // throw over them after a whole run.
  nlohmann::json out = {
      {"tool", valid_utf8(f.tool)}, {"available", f.available}, {"reason", valid_utf8(f.reason)}};
  if (!f.command.empty()) out["command"] = valid_utf8(f.command);
  if (f.available) {
    out["cycles"] = f.cycles;
    out["overflows"] = f.overflows;
    out["latency_ns"] = stats_json(f.histogram.summary());
    out["histogram_ns"] = histogram_json(f.histogram);
    out["resolution_ns"] = 1000;
  }
  return out;
}

nlohmann::json timerlat_side_json(const TimerlatSide& s) {
  return {{"samples", s.samples},
          {"overflows", s.overflows},
          {"latency_ns", stats_json(s.histogram.summary())},
          {"histogram_ns", histogram_json(s.histogram)}};
}

nlohmann::json context_json(const ContextSummary& c) {
  return {{"name", c.name()},
          {"windows", c.windows()},
          {"records", c.count()},
          {"cpus", c.cpus()},
          {"preempt_count_min", c.count() ? c.preempt_min() : 0},
          {"preempt_count_max", c.preempt_max()},
          {"irqs_off", c.irqs_off()}};
}

nlohmann::json latency_json(const ModeResult& m) {
  nlohmann::json latency = nlohmann::json::object();
  for (std::size_t i = 0; i < kStageCount; i++) {
    auto stage = static_cast<Stage>(i);
    if (stage == Stage::bottom_to_chain && !m.chain_mode) continue;
    latency[std::string(stage_name(stage))] = stats_json(m.latency[i]);
  }
  return latency;
}

nlohmann::json cross_cpu_json(const ModeResult& m) {
  nlohmann::json out = {{"bottom", m.bottom_cross_cpu}};
  if (m.chain_mode) out["chain"] = m.chain_cross_cpu;
  return out;
}

// One CPU of a per-CPU run: its counts, where its stages ran, its latencies.
nlohmann::json cpu_part_json(const ModeResult& p) {
  nlohmann::json detail = {{"top", context_json(p.top)}, {"bottom", context_json(p.bottom)}};
  if (p.chain_mode) detail["chain"] = context_json(p.chain);
  nlohmann::json out = counts_json(p);
  out.update({{"cpu", p.cpu},
              {"records", p.records},
              {"reader_cpu_ns", p.reader_cpu_ns},
              {"context_detail", detail},
              {"cross_cpu", cross_cpu_json(p)},
              {"latency_ns", latency_json(p)}});
  return out;
}

nlohmann::json mode_json(const ModeResult& m) {
  const nlohmann::json latency = latency_json(m);
  nlohmann::json context = {{"top", m.top.name()}, {"bottom", m.bottom.name()}};
  nlohmann::json detail = {{"top", context_json(m.top)}, {"bottom", context_json(m.bottom)}};
  if (m.chain_mode) {
    context["chain"] = m.chain.name();
    detail["chain"] = context_json(m.chain);
  }
  const ModeInfo* info = find_mode(m.mode);
  // The contract (irqbridge.compare/1): fired, counted, wakeups, overruns,
  // context, latency_ns; the rest are added keys.
  nlohmann::json out = counts_json(m);
  out.update({
      {"context", context},
      {"latency_ns", latency},
      {"source", m.source},
      {"mechanism", info ? info->mechanism : "?"},
      {"windows", info ? info->windows : "?"},
      {"raised", m.kernel.raised},
      {"bottom_runs", m.kernel.bottom_runs},
      {"chain_runs", m.kernel.chain_runs},
      {"empty_runs", m.kernel.empty_runs},
      {"max_batch", m.kernel.max_batch},
      {"source_busy", m.kernel.source_busy},
      {"work_capped", m.kernel.work_capped},
      {"throttled", m.kernel.throttled},
      {"records", m.records},
      {"records_kernel", m.kernel.records},
      {"ring_overruns", m.ring_overruns},
      {"order_violations", m.order_violations},
      {"unattributed", m.unattributed},
      {"seq_gaps", m.seq_gaps},
      {"context_detail", detail},
      {"warmup", m.warmup},
      {"repetitions", m.runs.size()},
      {"runs", runs_json(m)},
      {"spread", spread_json(m)},
      {"reader_cpu_ns", m.reader_cpu_ns},
      {"top_half_cost", top_cost_json(m.cost)},
      {"outliers", outliers_json(m.outliers)},
      {"reader_cpu_ns_per_wakeup",
       m.wakeups ? static_cast<double>(m.reader_cpu_ns) / static_cast<double>(m.wakeups) : 0.0},
      {"cross_cpu", cross_cpu_json(m)},
  });
  return out;
}

}  // namespace

nlohmann::json timerlat_json(const Timerlat& t) {
  if (!t.available) return nullptr;
  const TimerlatSettings& s = t.settings;
  return {{"tool", "rtla timerlat"},
          {"command", valid_utf8(t.command)},
          {"settings",
           {{"duration_s", s.duration_s},
            {"period_us", s.period_us},
            {"policy", s.priority > 0 ? "SCHED_FIFO" : "SCHED_OTHER"},
            {"priority", s.priority},
            {"cpus", s.cpus},  // [] means every CPU
            {"entries", s.entries},
            {"bucket_us", s.bucket_us},
            {"dma_latency_us", s.dma_latency_us}}},
          {"cpus", t.result.cpus},
          {"resolution_ns", 1000 * s.bucket_us},
          {"irq", timerlat_side_json(t.result.irq)},
          {"thread", timerlat_side_json(t.result.thread)}};
}

nlohmann::json to_json(const Report& report) {
  nlohmann::json modes = nlohmann::json::object();
  for (const auto& m : report.modes) {
    nlohmann::json j = mode_json(m);
    nlohmann::json hist = nlohmann::json::object();
    for (Stage st : kUserStages)
      hist[std::string(stage_name(st))] = histogram_json(m.histograms[st]);
    j["histogram_ns"] = hist;
    if (report.floor.available) j["vs_floor"] = vs_floor_json(m, report.floor);
    if (!m.per_cpu.empty()) {
      nlohmann::json parts = nlohmann::json::array();
      for (const auto& p : m.per_cpu) parts.push_back(cpu_part_json(p));
      j["per_cpu"] = parts;
    }
    modes[m.mode] = j;
  }
  return {
      {"schema", kReportSchema},
      {"kernel", report.kernel},
      {"period_ns", report.period_ns},
      {"events", report.events},
      {"modes", modes},
      {"version", report.version},
      {"module_version", report.module_version},
      {"source", report.requested_source},
      {"work_ns", report.work_ns},
      {"sleep_us", report.sleep_us},
      {"burst", report.burst},
      {"cpus", report.cpus},
      {"accel", report.accel},
      {"reader", reader_json(report.reader)},
      {"warmup", report.warmup},
      {"repetitions", report.repetitions},
      {"load", report.load},
      {"timer_cpu", report.timer_cpu},
      {"cpu_list", report.cpu_list},
      {"floor", floor_json(report.floor)},
      // The kernel's own measurement (rtla timerlat): null, with the
      // reason beside it, where the kernel has no timerlat tracer.
      {"timerlat", timerlat_json(report.timerlat)},
      {"timerlat_reason", valid_utf8(report.timerlat.reason)},
  };
}

}  // namespace irqbridge
