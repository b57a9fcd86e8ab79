// Where a stage ran: the Linux contexts and their Windows IRQL names.
#pragma once

#include <uapi/irqbridge.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace irqbridge {

enum class ContextKind { hardirq, softirq, task, other };

ContextKind classify(const irqbridge_context& ctx);
std::string_view context_name(ContextKind kind);
// DIRQL, DISPATCH_LEVEL, PASSIVE_LEVEL (or "?")
std::string_view windows_name(ContextKind kind);

// What every record of one stage said about its context.
class ContextSummary {
 public:
  void add(const irqbridge_context& ctx);
  // Adds everything other saw (repetitions pooled).
  void merge(const ContextSummary& other);

  [[nodiscard]] std::uint64_t count() const { return count_; }
  // The one kind all records agree on, "mixed", or "none" without records.
  [[nodiscard]] std::string name() const;
  [[nodiscard]] std::string windows() const;
  [[nodiscard]] const std::set<std::uint32_t>& cpus() const { return cpus_; }
  [[nodiscard]] std::uint32_t preempt_min() const { return preempt_min_; }
  [[nodiscard]] std::uint32_t preempt_max() const { return preempt_max_; }
  // "always", "never" or "sometimes"
  [[nodiscard]] std::string_view irqs_off() const;

 private:
  std::uint64_t count_ = 0;
  std::uint64_t by_kind_[4] = {};
  std::uint64_t irqs_off_ = 0;
  std::set<std::uint32_t> cpus_;
  std::uint32_t preempt_min_ = UINT32_MAX;
  std::uint32_t preempt_max_ = 0;
};

}  // namespace irqbridge
