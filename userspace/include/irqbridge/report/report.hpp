// The compare report: plain data in, JSON (a contract other tools read)
// and a table for people out. Pure logic.
#pragma once

#include <uapi/irqbridge.h>

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irqbridge/analysis/analysis.hpp"
#include "irqbridge/analysis/counts.hpp"
#include "irqbridge/analysis/outliers.hpp"
#include "irqbridge/analysis/stats.hpp"
#include "irqbridge/report/version.hpp"
#include "irqbridge/run/floor.hpp"
#include "irqbridge/run/timerlat.hpp"

namespace irqbridge {

inline constexpr const char* kReportSchema = "irqbridge.compare/1";

// The reader thread's scheduling class.
enum class SchedPolicy { other, fifo };
// "SCHED_OTHER", "SCHED_FIFO": the name in the reports.
std::string_view policy_name(SchedPolicy policy);

// How the reader thread was scheduled and how it waited: latency depends
// on both.
struct ReaderSettings {
  SchedPolicy policy = SchedPolicy::other;
  int priority = 0;
  bool mlockall = false;
  int cpu = -1;                        // pinned CPU, -1 for none
  std::string variant = "uring-read";  // how it waits on the eventfd
  // What the io_uring variants set up on this kernel (probe_uring_setup):
  // setup flags, e.g. "SINGLE_ISSUER|DEFER_TASKRUN", or "unavailable".
  std::string io_uring_setup = "unknown";
  std::uint32_t io_uring_flags = 0;
  bool io_uring_registered_ring_fd = false;
  bool io_uring_fixed_eventfd = false;
};

// What one run of one mode produced: its counts, and its records analysed.
struct RunResult : Counts {
  int cpu = -1;  // the CPU of a per-CPU run's channel, -1 otherwise
  Analysis analysis;
  OutlierTracker outliers;
};

// One repetition as the report keeps it: counts and summaries.
struct RunSummary : Counts {
  int cpu = -1;  // per-CPU runs: the channel's CPU
  std::array<Summary, kStageCount> latency{};
};

// A mode's result, pooled over its repetitions: the counts summed (exact()
// only if every run was exact).
struct ModeResult : Counts {
  std::string mode;
  std::string source;
  std::uint64_t records = 0;  // records the reader received
  std::uint64_t order_violations = 0;
  std::uint64_t unattributed = 0;
  std::uint64_t seq_gaps = 0;
  std::uint64_t warmup = 0;            // records left out of the latencies
  std::uint64_t bottom_cross_cpu = 0;  // bottom half on another CPU than its top half
  std::uint64_t chain_cross_cpu = 0;   // second hop on another CPU than its top half
  StageHistograms histograms;          // pooled
  std::array<Summary, kStageCount> latency{};
  std::vector<RunSummary> runs;
  OutlierTracker outliers;  // over all runs
  ContextSummary top;
  ContextSummary bottom;
  ContextSummary chain;
  bool chain_mode = false;
  int cpu = -1;                     // a per-CPU part: its CPU
  std::vector<ModeResult> per_cpu;  // --cpus: one part per CPU, pooled above

  // Records that did not reach the reader: the module's count of losses.
  [[nodiscard]] std::uint64_t overruns() const { return kernel.records_lost; }
};

// Pools the runs of one mode as they come: each run is merged into the
// pooled result (and, for a per-CPU run, cpu >= 0, into its CPU's part) and
// dropped, keeping only its summary. Memory then grows with the CPUs, not
// with runs x CPUs: --repeat 100 on 64 CPUs holds 65 sets of histograms,
// not 6400 plus a copy per CPU.
class ModePool {
 public:
  ModePool(std::string mode, std::string source, bool chain_mode);
  void add(RunResult run);
  [[nodiscard]] const ModeResult& result() const { return pooled_; }
  ModeResult finish() &&;

 private:
  ModeResult pooled_;
};

// Pools the repetitions of one mode (a ModePool over runs). With per-CPU
// runs (cpu >= 0) the result also has one part per CPU, each pooled over
// that CPU's runs.
ModeResult pool_runs(std::string mode, std::string source, bool chain_mode,
                     std::vector<RunResult> runs);

// One run, pooled alone (tests, tools).
ModeResult make_result(std::string mode, std::string source, const irqbridge_stats& kernel,
                       std::uint64_t reader_total, std::uint64_t wakeups,
                       std::uint64_t ring_overruns, Analysis analysis, bool chain_mode);

// min / median / max of one statistic across repetitions.
struct Spread {
  std::int64_t min = 0;
  std::int64_t median = 0;
  std::int64_t max = 0;
};
Spread spread_of(const ModeResult& m, Stage stage, std::int64_t Summary::*stat);

struct Report {
  std::string kernel;  // uname -r where the reader ran
  std::string version = irqbridge::version();
  std::string module_version;
  std::uint64_t period_ns = 0;
  std::uint64_t events = 0;  // per run
  std::uint64_t warmup = 0;  // per run
  unsigned repetitions = 1;
  std::uint32_t work_ns = 0;
  std::uint32_t sleep_us = 0;
  std::uint32_t burst = 1;  // top halves per timer expiry
  std::string requested_source = "timer";
  long cpus = 0;
  std::string accel = "unknown";  // how the test box runs the guest (tcg, kvm)
  std::string load = "none";
  int timer_cpu = -1;
  std::vector<int> cpu_list;  // --cpus: a top half and a reader on each
  ReaderSettings reader;
  std::vector<ModeResult> modes;
  Floor floor;
  Timerlat timerlat;  // the kernel's own measurement, the second floor
};

// Ratio of a mode's statistic to the floor's; none for a floor of 0 (the
// JSON then holds null, the table "n/a").
std::optional<double> floor_ratio(std::int64_t value, std::int64_t floor);

nlohmann::json to_json(const Report& report);
// text with every byte that is not part of valid UTF-8 replaced by U+FFFD:
// nlohmann's dump() throws on invalid UTF-8.
std::string valid_utf8(std::string_view text);
// A report as written to a file: indented, any invalid UTF-8 replaced
// rather than thrown over.
std::string dump_json(const nlohmann::json& doc);
nlohmann::json stats_json(const Summary& s);
// The counts every report gives for a run, a mode, a CPU or a point:
// fired, counted, reader_total, exact, wakeups, overruns (records lost),
// timer_overruns.
nlohmann::json counts_json(const Counts& c);
nlohmann::json histogram_json(const Histogram& h);
nlohmann::json reader_json(const ReaderSettings& r);
// The "timerlat" object of a report; null when it is not available (the
// reason is then the report's "timerlat_reason").
nlohmann::json timerlat_json(const Timerlat& t);
std::string format_table(const Report& report);

}  // namespace irqbridge
