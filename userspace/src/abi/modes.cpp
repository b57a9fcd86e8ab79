#include "irqbridge/abi/modes.hpp"

#include <uapi/irqbridge.h>

#include <array>
#include <string>

#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/list.hpp"

namespace irqbridge {
namespace {

constexpr std::array kModes = {
    ModeInfo{.name = "tasklet",
             .id = IRQBRIDGE_MODE_TASKLET,
             .mechanism = "tasklet_schedule()",
             .windows = "DPC"},
    ModeInfo{.name = "workqueue",
             .id = IRQBRIDGE_MODE_WORKQUEUE,
             .mechanism = "queue_work(system_wq)",
             .windows = "WorkItem",
             .may_sleep = true},
    ModeInfo{.name = "tasklet_hi",
             .id = IRQBRIDGE_MODE_TASKLET_HI,
             .mechanism = "tasklet_hi_schedule()",
             .windows = "DPC, HighImportance"},
    ModeInfo{.name = "wq_highpri",
             .id = IRQBRIDGE_MODE_WQ_HIGHPRI,
             .mechanism = "queue_work(WQ_HIGHPRI wq)",
             .windows = "WorkItem, critical queue",
             .may_sleep = true},
    ModeInfo{.name = "wq_unbound",
             .id = IRQBRIDGE_MODE_WQ_UNBOUND,
             .mechanism = "queue_work(WQ_UNBOUND wq)",
             .windows = "WorkItem, any processor",
             .may_sleep = true},
    ModeInfo{.name = "bh_wq",
             .id = IRQBRIDGE_MODE_BH_WQ,
             .mechanism = "queue_work(system_bh_wq)",
             .windows = "DPC",
             .missing = "BH workqueues arrived in Linux 6.9"},
    ModeInfo{.name = "threaded",
             .id = IRQBRIDGE_MODE_THREADED,
             .mechanism = "request_threaded_irq() thread",
             .windows = "PassiveHandling ISR",
             .may_sleep = true,
             .needs_interrupt = true},
    ModeInfo{.name = "dpc_workitem",
             .id = IRQBRIDGE_MODE_DPC_WORKITEM,
             .mechanism = "tasklet, then queue_work()",
             .windows = "DPC, then WorkItem",
             .may_sleep = true,
             .chain = true},
    ModeInfo{.name = "direct",
             .id = IRQBRIDGE_MODE_DIRECT,
             .mechanism = "eventfd_signal() in the top half",
             .windows = "KeSetEvent at DIRQL (forbidden on Windows)",
             .in_top = true,
             .missing = "on PREEMPT_RT the eventfd's lock sleeps, so a hard interrupt may not "
                        "signal it (the Windows rule, enforced by the kernel); lockdep's "
                        "raw-lock-nesting check refuses it too"},
};

constexpr std::array kSources = {
    SourceInfo{"timer", IRQBRIDGE_SOURCE_TIMER, "the hrtimer callback is the top half"},
    SourceInfo{"irqchip", IRQBRIDGE_SOURCE_IRQCHIP,
               "the hrtimer raises the module's own irq_chip interrupt", true},
    SourceInfo{"edu", IRQBRIDGE_SOURCE_EDU, "the hrtimer makes QEMU's edu PCI device interrupt",
               true},
    SourceInfo{"timer_soft", IRQBRIDGE_SOURCE_TIMER_SOFT,
               "a soft hrtimer's callback is the top half, in softirq: a timer DPC (WdfTimer)",
               false, true},
};

}  // namespace

std::span<const ModeInfo> all_modes() { return kModes; }
std::span<const SourceInfo> all_sources() { return kSources; }

const ModeInfo* find_mode(std::string_view name) {
  for (const auto& m : kModes)
    if (m.name == name) return &m;
  return nullptr;
}

const ModeInfo* find_mode(std::uint32_t id) {
  for (const auto& m : kModes)
    if (m.id == id) return &m;
  return nullptr;
}

const SourceInfo* find_source(std::string_view name) {
  for (const auto& s : kSources)
    if (s.name == name) return &s;
  return nullptr;
}

const SourceInfo* find_source(std::uint32_t id) {
  for (const auto& s : kSources)
    if (s.id == id) return &s;
  return nullptr;
}

std::vector<std::string> mode_names(std::uint32_t mask) {
  std::vector<std::string> names;
  for (const auto& m : kModes)
    if (mask & (1U << m.id)) names.emplace_back(m.name);
  return names;
}

std::vector<std::string> source_names(std::uint32_t mask) {
  std::vector<std::string> names;
  for (const auto& s : kSources)
    if (mask & (1U << s.id)) names.emplace_back(s.name);
  return names;
}

std::vector<const ModeInfo*> parse_mode_list(std::string_view list, std::uint32_t supported_mask) {
  std::vector<const ModeInfo*> modes;
  if (list == "all") {
    for (const auto& m : kModes)
      if (supported_mask & (1U << m.id)) modes.push_back(&m);
    return modes;
  }
  if (list.empty()) throw Error("no mode given");
  for (const std::string_view name : split_list(list)) {
    if (name.empty())
      throw Error("mode list '" + std::string(list) + "' has an empty item (give e.g. " +
                  "tasklet,workqueue)");
    const ModeInfo* mode = find_mode(name);
    if (mode == nullptr) throw Error("unknown mode '" + std::string(name) + "'");
    if (!(supported_mask & (1U << mode->id)))
      throw Error("mode " + std::string(name) + " is not offered by this kernel" +
                  (mode->missing.empty() ? "" : ": " + std::string(mode->missing)));
    for (const ModeInfo* seen : modes)
      if (seen == mode) throw Error("mode " + std::string(name) + " is listed twice");
    modes.push_back(mode);
  }
  return modes;
}

const SourceInfo& effective_source(const ModeInfo& mode, const SourceInfo& requested) {
  if (mode.needs_interrupt && requested.id == IRQBRIDGE_SOURCE_TIMER)
    return *find_source(std::uint32_t{IRQBRIDGE_SOURCE_IRQCHIP});
  return requested;
}

}  // namespace irqbridge
