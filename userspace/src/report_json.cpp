#include <utility>

#include "irqbridge/histogram.hpp"
#include "irqbridge/modes.hpp"
#include "irqbridge/report.hpp"

namespace irqbridge {

ModeResult make_result(std::string mode, std::string source, const irqbridge_stats& kernel,
                       std::uint64_t reader_total, std::uint64_t wakeups,
                       std::uint64_t ring_overruns, Analysis analysis, bool chain_mode) {
  ModeResult r;
  r.mode = std::move(mode);
  r.source = std::move(source);
  r.kernel = kernel;
  r.reader_total = reader_total;
  r.wakeups = wakeups;
  r.ring_overruns = ring_overruns;
  r.records = analysis.records;
  r.order_violations = analysis.order_violations;
  r.unattributed = analysis.unattributed;
  r.seq_gaps = analysis.seq_gaps;
  // Log-linear histograms: fixed memory per stage, < 1 % relative error.
  for (std::size_t i = 0; i < kStageCount; i++) {
    Histogram h;
    for (std::int64_t v : analysis.samples[i]) h.record(v);
    r.latency[i] = h.summary();
  }
  r.top = std::move(analysis.top);
  r.bottom = std::move(analysis.bottom);
  r.chain = std::move(analysis.chain);
  r.chain_mode = chain_mode;
  return r;
}

namespace {

nlohmann::json stats_json(const Summary& s) {
  return {{"n", s.n},       {"p50", s.p50}, {"p90", s.p90}, {"p99", s.p99},
          {"p999", s.p999}, {"max", s.max}, {"min", s.min}, {"mean", s.mean}};
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

nlohmann::json mode_json(const ModeResult& m) {
  nlohmann::json latency = nlohmann::json::object();
  for (std::size_t i = 0; i < kStageCount; i++) {
    auto stage = static_cast<Stage>(i);
    if (stage == Stage::bottom_to_chain && !m.chain_mode) continue;
    latency[std::string(stage_name(stage))] = stats_json(m.latency[i]);
  }
  nlohmann::json context = {{"top", m.top.name()}, {"bottom", m.bottom.name()}};
  nlohmann::json detail = {{"top", context_json(m.top)}, {"bottom", context_json(m.bottom)}};
  if (m.chain_mode) {
    context["chain"] = m.chain.name();
    detail["chain"] = context_json(m.chain);
  }
  const ModeInfo* info = find_mode(m.mode);
  return {
      // The contract (irqbridge.compare/1).
      {"fired", m.kernel.fired},
      {"counted", m.kernel.counted},
      {"wakeups", m.wakeups},
      {"overruns", m.overruns()},
      {"context", context},
      {"latency_ns", latency},
      // Added keys.
      {"source", m.source},
      {"mechanism", info ? info->mechanism : "?"},
      {"windows", info ? info->windows : "?"},
      {"exact", m.exact()},
      {"reader_total", m.reader_total},
      {"raised", m.kernel.raised},
      {"bottom_runs", m.kernel.bottom_runs},
      {"chain_runs", m.kernel.chain_runs},
      {"empty_runs", m.kernel.empty_runs},
      {"max_batch", m.kernel.max_batch},
      {"timer_overruns", m.kernel.timer_overruns},
      {"source_busy", m.kernel.source_busy},
      {"records", m.records},
      {"records_kernel", m.kernel.records},
      {"ring_overruns", m.ring_overruns},
      {"order_violations", m.order_violations},
      {"unattributed", m.unattributed},
      {"seq_gaps", m.seq_gaps},
      {"context_detail", detail},
  };
}

}  // namespace

nlohmann::json to_json(const Report& report) {
  nlohmann::json modes = nlohmann::json::object();
  for (const auto& m : report.modes) modes[m.mode] = mode_json(m);
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
      {"cpus", report.cpus},
      {"accel", report.accel},
      {"reader",
       {{"policy", report.reader.policy},
        {"priority", report.reader.priority},
        {"mlockall", report.reader.mlockall},
        {"cpu", report.reader.cpu}}},
  };
}

}  // namespace irqbridge
