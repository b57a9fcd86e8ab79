#include "irqbridge/analysis/context.hpp"

#include <algorithm>

namespace irqbridge {

ContextKind classify(const irqbridge_context& ctx) {
  if (ctx.flags & IRQBRIDGE_CTX_HARDIRQ) return ContextKind::hardirq;
  if (ctx.flags & IRQBRIDGE_CTX_SOFTIRQ) return ContextKind::softirq;
  if (ctx.flags & IRQBRIDGE_CTX_TASK) return ContextKind::task;
  return ContextKind::other;
}

std::string_view context_name(ContextKind kind) {
  switch (kind) {
    case ContextKind::hardirq:
      return "hardirq";
    case ContextKind::softirq:
      return "softirq";
    case ContextKind::task:
      return "task";
    case ContextKind::other:
      break;
  }
  return "other";
}

std::string_view windows_name(ContextKind kind) {
  switch (kind) {
    case ContextKind::hardirq:
      return "DIRQL";
    case ContextKind::softirq:
      return "DISPATCH_LEVEL";
    case ContextKind::task:
      return "PASSIVE_LEVEL";
    case ContextKind::other:
      break;
  }
  return "?";
}

void ContextSummary::add(const irqbridge_context& ctx) {
  count_++;
  by_kind_[static_cast<int>(classify(ctx))]++;
  if (ctx.flags & IRQBRIDGE_CTX_IRQS_OFF) irqs_off_++;
  cpus_.insert(ctx.cpu);
  if (ctx.preempt_count < preempt_min_) preempt_min_ = ctx.preempt_count;
  if (ctx.preempt_count > preempt_max_) preempt_max_ = ctx.preempt_count;
}

void ContextSummary::merge(const ContextSummary& other) {
  count_ += other.count_;
  for (int k = 0; k < 4; k++) by_kind_[k] += other.by_kind_[k];
  irqs_off_ += other.irqs_off_;
  cpus_.insert(other.cpus_.begin(), other.cpus_.end());
  preempt_min_ = std::min(preempt_min_, other.preempt_min_);
  preempt_max_ = std::max(preempt_max_, other.preempt_max_);
}

std::string ContextSummary::name() const {
  if (count_ == 0) return "none";
  for (int k = 0; k < 4; k++)
    if (by_kind_[k] == count_) return std::string(context_name(static_cast<ContextKind>(k)));
  return "mixed";
}

std::string ContextSummary::windows() const {
  if (count_ == 0) return "none";
  for (int k = 0; k < 4; k++)
    if (by_kind_[k] == count_) return std::string(windows_name(static_cast<ContextKind>(k)));
  return "mixed";
}

std::string_view ContextSummary::irqs_off() const {
  if (irqs_off_ == 0) return "never";
  return irqs_off_ == count_ ? "always" : "sometimes";
}

}  // namespace irqbridge
