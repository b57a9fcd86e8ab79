// The catalogue: every mode, source and stage, read from the module
// (IRQBRIDGE_IOC_GET_CATALOGUE) when the device is there, else from the
// compiled-in table of modes.cpp (a unit test checks it against the uapi
// header and kmod/irqbridge_bottom.c's table). `irqbridge info --json`
// prints it; the CLI's help text, its checks, the Python tools and the test
// judges read it instead of keeping their own lists.
#pragma once

#include <uapi/irqbridge.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace irqbridge {

inline constexpr const char* kCatalogueSchema = "irqbridge.catalogue/1";

struct CatalogueMode {
  std::string name;
  std::uint32_t id = 0;                     // IRQBRIDGE_MODE_*
  std::uint32_t caps = 0;                   // IRQBRIDGE_MODE_CAP_* (SUPPORTED only from the module)
  std::optional<bool> supported;            // unknown without the module
  std::string mechanism, windows, missing;  // descriptions (compiled-in; empty if unknown)

  [[nodiscard]] bool may_sleep() const { return (caps & IRQBRIDGE_MODE_CAP_MAY_SLEEP) != 0; }
  [[nodiscard]] bool in_top() const { return (caps & IRQBRIDGE_MODE_CAP_IN_TOP) != 0; }
  [[nodiscard]] bool needs_irq() const { return (caps & IRQBRIDGE_MODE_CAP_NEEDS_IRQ) != 0; }
  [[nodiscard]] bool chained() const { return (caps & IRQBRIDGE_MODE_CAP_CHAINED) != 0; }
  // Where its stages run, as the report names contexts: the bottom half
  // (the first hop of a chain) and, for a chain, the second hop.
  [[nodiscard]] std::string bottom_context() const;
  [[nodiscard]] std::optional<std::string> chain_context() const;
};

struct CatalogueSource {
  std::string name;
  std::uint32_t id = 0;         // IRQBRIDGE_SOURCE_*
  std::optional<bool> present;  // unknown without the module
  std::string description;
  std::uint32_t caps = 0;  // IRQBRIDGE_SOURCE_CAP_IRQ, _SOFTIRQ (PRESENT is @present)

  [[nodiscard]] bool irq() const { return (caps & IRQBRIDGE_SOURCE_CAP_IRQ) != 0; }
  [[nodiscard]] bool softirq() const { return (caps & IRQBRIDGE_SOURCE_CAP_SOFTIRQ) != 0; }
  // Where its top half runs, as the report names contexts.
  [[nodiscard]] std::string top_context() const { return softirq() ? "softirq" : "hardirq"; }
};

struct Catalogue {
  std::string from;  // "module" or "compiled-in"
  std::vector<CatalogueMode> modes;
  std::vector<CatalogueSource> sources;

  [[nodiscard]] const CatalogueMode* mode(std::uint32_t id) const;
  [[nodiscard]] const CatalogueMode* mode(const std::string& name) const;
  [[nodiscard]] const CatalogueSource* source(std::uint32_t id) const;
  [[nodiscard]] std::vector<std::string> mode_names() const;
  [[nodiscard]] std::vector<std::string> source_names() const;
};

// The compiled-in table, supported/present unknown.
Catalogue compiled_catalogue();
// The module's reply; descriptions taken from the compiled-in table by mode
// number (a mode the table lacks keeps its name and capabilities).
Catalogue module_catalogue(const irqbridge_catalogue& reply);
// "timer, irqchip or edu"-style text for help strings.
std::string joined(const std::vector<std::string>& names, const std::string& sep = ", ");

// {"schema", "from", "modes": [...], "sources": [...], "stages": [...],
//  "limits": {...}}: what `irqbridge info --json` prints.
nlohmann::json to_json(const Catalogue& catalogue);

// Why CONFIGURE would refuse `burst` top halves per expiry at period_ns
// from source (IRQBRIDGE_SOURCE_*): one line for the CLI, empty when it
// accepts it (1 .. IRQBRIDGE_BURST_MAX, at most IRQBRIDGE_CPU_RATE_MAX per
// second, 1 from the edu device).
std::string burst_refusal(std::uint32_t burst, std::uint64_t period_ns, std::uint32_t source);

}  // namespace irqbridge
