// The bottom-half modes and interrupt sources of the module, by name, with
// the Windows construct each stands for.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace irqbridge {

struct ModeInfo {
  std::string_view name;          // CLI and report name
  std::uint32_t id;               // IRQBRIDGE_MODE_*
  std::string_view mechanism;     // the Linux call
  std::string_view windows;       // the Windows construct
  bool may_sleep = false;         // the signalling stage runs in task context
  bool needs_interrupt = false;   // cannot run on the bare timer source
  bool chain = false;             // two hops: DPC, then WorkItem
  bool in_top = false;            // no bottom half: the top half signals
  std::string_view missing = {};  // why a kernel may not offer it
};

struct SourceInfo {
  std::string_view name;
  std::uint32_t id;  // IRQBRIDGE_SOURCE_*
  std::string_view description;
  bool irq = false;      // raises an interrupt: a handler thread can run on it
  bool softirq = false;  // its top half runs in softirq (a timer DPC), not hard IRQ
};

std::span<const ModeInfo> all_modes();
std::span<const SourceInfo> all_sources();
const ModeInfo* find_mode(std::string_view name);
const ModeInfo* find_mode(std::uint32_t id);
const SourceInfo* find_source(std::string_view name);
const SourceInfo* find_source(std::uint32_t id);

// Names of the modes whose bit is set in a GET_INFO mask.
std::vector<std::string> mode_names(std::uint32_t mask);
std::vector<std::string> source_names(std::uint32_t mask);

// "tasklet,workqueue" or "all" → modes; "all" means every mode in
// supported_mask. Throws Error naming an unknown or unsupported mode.
std::vector<const ModeInfo*> parse_mode_list(std::string_view list, std::uint32_t supported_mask);

// The source a mode actually runs on: a mode that needs an interrupt is
// moved from the bare (hard) timer to the module's irq_chip. Not from
// timer_soft: its point is a softirq top half, which the irq_chip's is not
// (the CLI refuses that pair instead).
const SourceInfo& effective_source(const ModeInfo& mode, const SourceInfo& requested);

}  // namespace irqbridge
