// Pooling a mode's repetitions into one result.
#include <algorithm>
#include <utility>
#include <vector>

#include "irqbridge/report/report.hpp"

namespace irqbridge {

namespace {

void add_stats(irqbridge_stats& sum, const irqbridge_stats& run) {
  sum.size = run.size;
  sum.running = run.running;
  sum.fired += run.fired;
  sum.counted += run.counted;
  sum.bottom_runs += run.bottom_runs;
  sum.timer_overruns += run.timer_overruns;
  sum.records += run.records;
  sum.records_lost += run.records_lost;
  sum.max_batch = std::max(sum.max_batch, run.max_batch);
  sum.raised += run.raised;
  sum.source_busy += run.source_busy;
  sum.chain_runs += run.chain_runs;
  sum.empty_runs += run.empty_runs;
  sum.work_capped += run.work_capped;
  if (sum.error == 0) sum.error = run.error;
}

std::array<Summary, kStageCount> summaries(const StageHistograms& h) {
  std::array<Summary, kStageCount> out{};
  for (std::size_t i = 0; i < kStageCount; i++) out[i] = h[static_cast<Stage>(i)].summary();
  return out;
}

}  // namespace

namespace {

// Adds one run to m: counts summed, histograms merged, one summary kept.
void add_run(ModeResult& m, const RunResult& run) {
  if (m.runs.empty())
    m.outliers = run.outliers;
  else
    m.outliers.merge(run.outliers);
  const Analysis& a = run.analysis;
  add_stats(m.kernel, run.kernel);
  m.reader_total += run.reader_total;
  m.wakeups += run.wakeups;
  m.ring_overruns += run.ring_overruns;
  m.reader_cpu_ns += run.reader_cpu_ns;
  m.cost.top_halves += run.cost.top_halves;
  m.cost.top_ns_total += run.cost.top_ns_total;
  m.cost.top_ns_max = std::max(m.cost.top_ns_max, run.cost.top_ns_max);
  m.records += a.records;
  m.order_violations += a.order_violations;
  m.unattributed += a.unattributed;
  m.seq_gaps += a.seq_gaps;
  m.warmup += a.warmup;
  m.bottom_cross_cpu += a.bottom_cross_cpu;
  m.chain_cross_cpu += a.chain_cross_cpu;
  m.histograms.merge(a.latency);
  m.top.merge(a.top);
  m.bottom.merge(a.bottom);
  m.chain.merge(a.chain);
  m.runs.push_back({run.cpu, run.kernel, run.reader_total, run.wakeups, summaries(a.latency)});
  m.latency = summaries(m.histograms);
}

}  // namespace

ModePool::ModePool(std::string mode, std::string source, bool chain_mode) {
  pooled_.mode = std::move(mode);
  pooled_.source = std::move(source);
  pooled_.chain_mode = chain_mode;
}

void ModePool::add(RunResult run) {
  if (run.cpu >= 0) {
    auto part = std::find_if(pooled_.per_cpu.begin(), pooled_.per_cpu.end(),
                             [&](const ModeResult& p) { return p.cpu == run.cpu; });
    if (part == pooled_.per_cpu.end()) {
      ModeResult fresh;
      fresh.mode = pooled_.mode;
      fresh.source = pooled_.source;
      fresh.chain_mode = pooled_.chain_mode;
      fresh.cpu = run.cpu;
      // Sorted by CPU as they arrive.
      part = pooled_.per_cpu.insert(
          std::upper_bound(pooled_.per_cpu.begin(), pooled_.per_cpu.end(), run.cpu,
                           [](int cpu, const ModeResult& p) { return cpu < p.cpu; }),
          std::move(fresh));
    }
    add_run(*part, run);
  }
  add_run(pooled_, run);
}

ModeResult ModePool::finish() && { return std::move(pooled_); }

ModeResult pool_runs(std::string mode, std::string source, bool chain_mode,
                     std::vector<RunResult> runs) {
  ModePool pool(std::move(mode), std::move(source), chain_mode);
  for (auto& r : runs) pool.add(std::move(r));
  return std::move(pool).finish();
}

ModeResult make_result(std::string mode, std::string source, const irqbridge_stats& kernel,
                       std::uint64_t reader_total, std::uint64_t wakeups,
                       std::uint64_t ring_overruns, Analysis analysis, bool chain_mode) {
  std::vector<RunResult> runs(1);
  runs[0].kernel = kernel;
  runs[0].reader_total = reader_total;
  runs[0].wakeups = wakeups;
  runs[0].ring_overruns = ring_overruns;
  runs[0].analysis = std::move(analysis);
  return pool_runs(std::move(mode), std::move(source), chain_mode, std::move(runs));
}

Spread spread_of(const ModeResult& m, Stage stage, std::int64_t Summary::*stat) {
  std::vector<std::int64_t> v;
  for (const auto& r : m.runs) {
    const Summary& s = r.latency[static_cast<std::size_t>(stage)];
    if (s.n != 0) v.push_back(s.*stat);
  }
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  // The lower median for an even count: a value some run really had.
  return {v.front(), v[(v.size() - 1) / 2], v.back()};
}

std::optional<double> floor_ratio(std::int64_t value, std::int64_t floor) {
  if (floor <= 0) return std::nullopt;
  return static_cast<double>(value) / static_cast<double>(floor);
}

}  // namespace irqbridge
