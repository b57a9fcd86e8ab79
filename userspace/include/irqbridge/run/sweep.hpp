// The rate sweep: each mode over a list of periods, to see where a
// mechanism starts coalescing (wake-ups < fired), where records overrun,
// and that fired == counted at every rate. Pure logic: the report.
#pragma once

#include <uapi/irqbridge.h>

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "irqbridge/report/report.hpp"
#include "irqbridge/report/version.hpp"

namespace irqbridge {

inline constexpr const char* kSweepSchema = "irqbridge.sweep/1";

struct SweepPoint {
  std::string mode;
  std::string source;
  std::uint64_t period_ns = 0;
  irqbridge_stats kernel{};
  std::uint64_t reader_total = 0;
  std::uint64_t wakeups = 0;
  std::uint64_t ring_overruns = 0;
  std::uint64_t reader_cpu_ns = 0;
  irqbridge_cost cost{};
  std::array<Summary, kStageCount> latency{};
  std::string error;  // the run failed (the guest could not keep up): why

  [[nodiscard]] bool exact() const {
    return error.empty() && kernel.fired == kernel.counted && reader_total == kernel.counted;
  }
  // Wake-ups per event: 1 = one wake-up each; lower = coalescing.
  [[nodiscard]] double wakeups_per_event() const;
};

SweepPoint sweep_point(const ModeResult& m, std::uint64_t period_ns);

struct SweepReport {
  std::string kernel;
  std::string version = irqbridge::version();
  std::string module_version;
  std::uint64_t events = 0;  // per point
  long cpus = 0;
  std::string accel = "unknown";
  std::string load = "none";
  ReaderSettings reader;
  std::vector<SweepPoint> points;
};

// "1000,500,200.5" (µs) → ns, in the order given. Throws Error on a bad
// number or one outside the module's limits.
std::vector<std::uint64_t> parse_periods_us(const std::string& list);

nlohmann::json to_json(const SweepReport& report);
std::string format_table(const SweepReport& report);

}  // namespace irqbridge
