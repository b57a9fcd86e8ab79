// The benchmark's report (`make bench`, `irqbridge bench`): the highest
// event rate each mode sustains, what the top half costs with and without
// per-event records, and what each reader variant costs per wake-up. Pure
// logic.
#pragma once

#include <uapi/irqbridge.h>

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "irqbridge/analysis/stats.hpp"
#include "irqbridge/report/report.hpp"
#include "irqbridge/report/version.hpp"
#include "irqbridge/run/session.hpp"
#include "irqbridge/run/sweep.hpp"

namespace irqbridge {

inline constexpr const char* kBenchSchema = "irqbridge.bench/1";

// Sustained: every event counted, no record lost, and at most one timer
// period in a hundred skipped. A skipped period under TCG is mostly the host
// not running the vCPU; allowing 1 % keeps that noise from hiding the
// mechanism's own limit.
inline constexpr std::uint64_t kSkippedPerHundred = 100;
[[nodiscard]] bool sustained(const SweepPoint& p);

struct SustainedRate {
  std::string mode;
  bool found = false;           // even the slowest period was not sustained
  std::uint64_t period_ns = 0;  // the shortest sustained period
};
// Per mode in order of first appearance: the shortest period sustained.
std::vector<SustainedRate> sustained_rates(std::span<const SweepPoint> points);

struct TopHalfCost {
  std::string mode;
  Records records = Records::kRead;  // what the module did with per-event records
  irqbridge_cost cost{};
  [[nodiscard]] double mean_ns() const;
};

// What per-event records add to the top half: the median over the runs with
// records of the mean top half, against the same without (runs alternate in
// one boot). Issue 16's bound: at most kRecordsOverheadMax of the top half
// without records.
//
// Runs come in groups, one of each kind (with records, written but unread,
// without), in an order that rotates: a group ends where a kind repeats. Each
// group gives one pair ratio, its run of the measured kind against its run
// without records.
inline constexpr double kRecordsOverheadMax = 0.10;
struct RecordsOverhead {
  bool measured = false;  // at least one run each way, both with top halves
  std::string mode;
  unsigned runs_with = 0;
  unsigned runs_without = 0;
  double with_ns = 0.0;                // median of the runs' mean top half, records on
  double without_ns = 0.0;             // the same, records off
  [[nodiscard]] double ratio() const;  // (with - without) / without
  [[nodiscard]] bool within() const;   // ratio() <= kRecordsOverheadMax
  // Each group's run of the measured kind against its run without records
  // (neighbours in time: a slow stretch of the host weighs on both), in run
  // order; their median and its 95 % interval (median_ci95()).
  std::vector<double> pair_ratios;
  MedianCi pairs;
  // "within" when the interval lies at or below the bound, "above" when it
  // lies above it, "undecided" when it straddles it or there is none.
  [[nodiscard]] std::string_view pairs_verdict() const;
};
// Records written and read (the cost of having them) against none.
RecordsOverhead records_overhead(std::span<const TopHalfCost> runs);
// Records written, never read (RECORDS_UNREAD) against none: what writing
// them costs the top half, without what the bottom half's copy and the
// reader's parse do to the caches the next top half finds.
RecordsOverhead records_write_overhead(std::span<const TopHalfCost> runs);

struct ReaderCost {
  std::string variant;
  std::uint64_t wakeups = 0;
  std::uint64_t cpu_ns = 0;
  bool exact = true;
  [[nodiscard]] double per_wakeup_ns() const;
};

// The reader with a top half, bottom half and reader thread on each of
// `cpus` CPUs at once (--cpus): what it costs grows with the CPUs.
struct CpuScaling {
  std::string mode;
  unsigned cpus = 0;
  std::uint64_t events = 0;  // over all CPUs
  std::uint64_t wakeups = 0;
  std::uint64_t reader_cpu_ns = 0;  // summed over the reader threads
  std::uint64_t ring_bytes = 0;     // mapped: one ring per CPU
  std::uint64_t rss_kb = 0;         // the reader process's peak resident set during the run
  bool exact = true;                // every CPU's count exact
  [[nodiscard]] double cpu_ns_per_event() const;
};

// The storm (issue 16 item 4): each timer expiry raises `burst` top halves
// back to back, faster than any bottom half runs, so the bottom half
// coalesces them. What a mode absorbs, with exact counts. Fed one record at
// a time (add()), pure.
// 2,000 expiries/s, which a TCG guest's timer keeps up with (it skips
// periods near 20,000/s), × 50: 100,000 top halves/s, the CPU's budget.
inline constexpr std::uint64_t kStormPeriodNs = 500000;
inline constexpr std::uint32_t kStormBurst = 50;
inline constexpr std::uint64_t kStormEvents = 20000;
inline constexpr std::size_t kStormBatchBins = 8;  // 1, 2-3, 4-7, ... 64-127, 128+
struct StormPoint : Counts {
  std::string mode;
  int cpu = -1;  // the CPU of its timer in a run on every CPU, else -1
  std::string source;
  std::uint64_t period_ns = 0;
  std::uint32_t burst = 1;
  std::uint64_t events = 0;  // configured
  std::string error;         // the run failed: why
  // From the records that reached the reader.
  std::uint64_t records = 0;
  std::uint64_t first_seq = 0, first_top_ns = 0;  // the lowest seq seen
  std::uint64_t last_seq = 0, last_top_ns = 0;    // the highest
  std::uint64_t bottom_softirq = 0;               // signalled from a softirq
  std::uint64_t bottom_ksoftirqd = 0;             // ... run by ksoftirqd
  std::uint64_t bottom_task = 0;                  // from task context (kworker, IRQ thread)
  std::uint64_t bottom_cross_cpu = 0;             // bottom half on another CPU than the top
  // Records by the batch of the run that counted them: [0] batch 1,
  // [1] 2-3, [2] 4-7, ... [7] 128 or more.
  std::array<std::uint64_t, kStormBatchBins> batch_events{};

  void add(const irqbridge_record& r);
  // raised == fired == counted == events configured, all read, no error.
  [[nodiscard]] bool exact() const;
  [[nodiscard]] double offered_per_s() const;  // burst per period
  // Top halves per second between the first and the last record's top
  // half (0 with fewer than two records).
  [[nodiscard]] double absorbed_per_s() const;
  [[nodiscard]] double mean_batch() const;       // fired per bottom-half run
  [[nodiscard]] double ksoftirqd_share() const;  // of the records signalled from a softirq
};

// The storm on every CPU at once (issue 16 item 4): one channel per CPU,
// each its own pinned timer raising `burst` top halves per period, so the
// guest is offered what each CPU's budget allows (IRQBRIDGE_CPU_RATE_MAX)
// times the CPUs, without raising that budget. Per CPU a StormPoint (fed by
// the records whose top half ran there); overall the exact top halves over
// the wall time between the first and the last top half of any CPU.
struct StormAllCpus {
  std::string mode;
  std::string source;
  std::uint64_t period_ns = 0;
  std::uint32_t burst = 1;
  std::uint64_t events_per_cpu = 0;  // configured, each CPU
  std::string error;                 // the run failed: why
  std::vector<StormPoint> per_cpu;   // one per CPU, StormPoint::cpu set

  // Routes a record to the CPU its top half ran on (records of a CPU not
  // in per_cpu are not counted).
  void add(const irqbridge_record& r);
  [[nodiscard]] Counts total() const;  // summed over the CPUs
  // Every CPU's count exact, and at least one CPU.
  [[nodiscard]] bool exact() const;
  [[nodiscard]] double offered_per_s() const;  // summed over the CPUs
  // Top halves between each CPU's first and last record, summed, over the
  // wall time from the earliest first to the latest last (0 without).
  [[nodiscard]] double absorbed_per_s() const;
  [[nodiscard]] double mean_batch() const;  // fired per bottom-half run, all CPUs
  [[nodiscard]] double ksoftirqd_share() const;
};

struct BenchReport {
  std::string kernel;
  std::string version = irqbridge::version();
  std::string module_version;
  long cpus = 0;
  std::string accel = "unknown";
  ReaderSettings reader;
  std::uint64_t events = 0;  // per run
  std::vector<SweepPoint> rate_search;
  std::vector<TopHalfCost> top_half;
  std::uint64_t top_half_period_ns = 0;
  std::vector<ReaderCost> readers;
  std::uint64_t reader_period_ns = 0;
  std::vector<CpuScaling> cpu_scaling;       // at reader_period_ns
  std::vector<StormPoint> storm;             // one CPU
  std::vector<StormAllCpus> storm_all_cpus;  // every online CPU at once
};

// 1, 2, ... up to every online CPU: 1, 2 and all, without repeats.
std::vector<unsigned> scaling_steps(long online);

nlohmann::json to_json(const BenchReport& report);
std::string format_table(const BenchReport& report);

}  // namespace irqbridge
