// The compare report: plain data in, JSON (a contract other tools read)
// and a table for people out. Pure logic.
#pragma once

#include <uapi/irqbridge.h>

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "irqbridge/analysis.hpp"
#include "irqbridge/stats.hpp"

namespace irqbridge {

inline constexpr const char* kReportSchema = "irqbridge.compare/1";

// How the reader thread was scheduled: latency depends on it.
struct ReaderSettings {
  std::string policy = "SCHED_OTHER";  // or SCHED_FIFO
  int priority = 0;
  bool mlockall = false;
  int cpu = -1;  // pinned CPU, -1 for none
};

// The result of one mode's run.
struct ModeResult {
  std::string mode;
  std::string source;
  irqbridge_stats kernel{};         // the module's counters after STOP
  std::uint64_t reader_total = 0;   // sum of the eventfd reads
  std::uint64_t wakeups = 0;        // eventfd reads
  std::uint64_t ring_overruns = 0;  // ring header's overrun counter
  std::uint64_t records = 0;        // records the reader received
  std::uint64_t order_violations = 0;
  std::uint64_t unattributed = 0;
  std::uint64_t seq_gaps = 0;
  std::array<Summary, kStageCount> latency{};
  ContextSummary top;
  ContextSummary bottom;
  ContextSummary chain;
  bool chain_mode = false;

  // Records that did not reach the reader: the module's count of losses.
  [[nodiscard]] std::uint64_t overruns() const { return kernel.records_lost; }
  // fired == counted == what the reader read.
  [[nodiscard]] bool exact() const {
    return kernel.fired == kernel.counted && reader_total == kernel.counted;
  }
};

ModeResult make_result(std::string mode, std::string source, const irqbridge_stats& kernel,
                       std::uint64_t reader_total, std::uint64_t wakeups,
                       std::uint64_t ring_overruns, Analysis analysis, bool chain_mode);

struct Report {
  std::string kernel;  // uname -r where the reader ran
  std::string version = IRQBRIDGE_VERSION;
  std::string module_version;
  std::uint64_t period_ns = 0;
  std::uint64_t events = 0;
  std::uint32_t work_ns = 0;
  std::uint32_t sleep_us = 0;
  std::string requested_source = "timer";
  long cpus = 0;
  std::string accel = "unknown";  // how the test box runs the guest (tcg, kvm)
  ReaderSettings reader;
  std::vector<ModeResult> modes;
};

nlohmann::json to_json(const Report& report);
std::string format_table(const Report& report);

}  // namespace irqbridge
