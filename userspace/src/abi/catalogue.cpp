#include "irqbridge/abi/catalogue.hpp"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <string>

#include "irqbridge/abi/modes.hpp"
#include "irqbridge/analysis/analysis.hpp"

namespace irqbridge {
namespace {

std::uint32_t compiled_caps(const ModeInfo& m) {
  std::uint32_t caps = 0;
  if (m.may_sleep) caps |= IRQBRIDGE_MODE_CAP_MAY_SLEEP;
  if (m.in_top) caps |= IRQBRIDGE_MODE_CAP_IN_TOP;
  if (m.needs_interrupt) caps |= IRQBRIDGE_MODE_CAP_NEEDS_IRQ;
  if (m.chain) caps |= IRQBRIDGE_MODE_CAP_CHAINED;
  return caps;
}

CatalogueMode from_table(const ModeInfo& m) {
  return {.name = std::string(m.name),
          .id = m.id,
          .caps = compiled_caps(m),
          .supported = std::nullopt,
          .mechanism = std::string(m.mechanism),
          .windows = std::string(m.windows),
          .missing = std::string(m.missing)};
}

template <std::size_t N>
std::string fixed_string(const char (&s)[N]) {
  return {s, ::strnlen(s, N)};
}

// What each stage measures; the names are the Stage enum's.
std::string_view stage_text(Stage st) {
  switch (st) {
    case Stage::timer_to_top:
      return "the hrtimer's expiry to the top half";
    case Stage::top_to_bottom:
      return "the top half to the bottom half taking the count";
    case Stage::bottom_to_user:
      return "the bottom half taking the count to the reader waking";
    case Stage::top_to_user:
      return "the top half to the reader waking";
    case Stage::timer_to_user:
      return "the hrtimer's expiry to the reader waking";
    case Stage::bottom_to_signal:
      return "the bottom half taking the count to the eventfd signalled";
    case Stage::raise_to_top:
      return "the source raising the interrupt to the top half";
    case Stage::bottom_to_chain:
      return "the first hop (DPC) to its work item taking the count";
    case Stage::count_:
      break;
  }
  return "";
}

}  // namespace

std::string CatalogueMode::bottom_context() const {
  if (in_top()) return "hardirq";
  // A chain's first hop is the DPC; a mode that may not sleep runs in softirq.
  if (chained() || !may_sleep()) return "softirq";
  return "task";
}

std::optional<std::string> CatalogueMode::chain_context() const {
  if (!chained()) return std::nullopt;
  return "task";
}

const CatalogueMode* Catalogue::mode(std::uint32_t id) const {
  for (const auto& m : modes)
    if (m.id == id) return &m;
  return nullptr;
}

const CatalogueMode* Catalogue::mode(const std::string& name) const {
  for (const auto& m : modes)
    if (m.name == name) return &m;
  return nullptr;
}

const CatalogueSource* Catalogue::source(std::uint32_t id) const {
  for (const auto& s : sources)
    if (s.id == id) return &s;
  return nullptr;
}

std::vector<std::string> Catalogue::mode_names() const {
  std::vector<std::string> out;
  for (const auto& m : modes) out.push_back(m.name);
  return out;
}

std::vector<std::string> Catalogue::source_names() const {
  std::vector<std::string> out;
  for (const auto& s : sources) out.push_back(s.name);
  return out;
}

Catalogue compiled_catalogue() {
  Catalogue c{.from = "compiled-in", .modes = {}, .sources = {}};
  for (const auto& m : all_modes()) c.modes.push_back(from_table(m));
  for (const auto& s : all_sources())
    c.sources.push_back({.name = std::string(s.name),
                         .id = s.id,
                         .present = std::nullopt,
                         .description = std::string(s.description),
                         .caps = (s.irq ? IRQBRIDGE_SOURCE_CAP_IRQ : 0U) |
                                 (s.softirq ? IRQBRIDGE_SOURCE_CAP_SOFTIRQ : 0U)});
  return c;
}

Catalogue module_catalogue(const irqbridge_catalogue& reply) {
  Catalogue c{.from = "module", .modes = {}, .sources = {}};
  for (std::uint32_t i = 0; i < reply.nr_modes && i < IRQBRIDGE_CATALOGUE_MODES; i++) {
    const irqbridge_mode_desc& d = reply.modes[i];
    CatalogueMode m;
    if (const ModeInfo* known = find_mode(d.mode)) m = from_table(*known);
    m.name = fixed_string(d.name);
    m.id = d.mode;
    m.caps = d.caps & ~IRQBRIDGE_MODE_CAP_SUPPORTED;
    m.supported = (d.caps & IRQBRIDGE_MODE_CAP_SUPPORTED) != 0;
    c.modes.push_back(std::move(m));
  }
  for (std::uint32_t i = 0; i < reply.nr_sources && i < IRQBRIDGE_CATALOGUE_SOURCES; i++) {
    const irqbridge_source_desc& d = reply.sources[i];
    const SourceInfo* known = find_source(d.source);
    c.sources.push_back({.name = fixed_string(d.name),
                         .id = d.source,
                         .present = (d.flags & IRQBRIDGE_SOURCE_CAP_PRESENT) != 0,
                         .description = known ? std::string(known->description) : "",
                         .caps = d.flags & ~IRQBRIDGE_SOURCE_CAP_PRESENT});
  }
  return c;
}

std::string joined(const std::vector<std::string>& names, const std::string& sep) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : sep) + n;
  return out;
}

nlohmann::json to_json(const Catalogue& c) {
  auto optional = [](const std::optional<bool>& b) -> nlohmann::json {
    return b ? nlohmann::json(*b) : nlohmann::json(nullptr);
  };
  nlohmann::json modes = nlohmann::json::array();
  for (const auto& m : c.modes) {
    nlohmann::json contexts = {{"top", "hardirq"}, {"bottom", m.bottom_context()}};
    if (auto chain = m.chain_context()) contexts["chain"] = *chain;
    modes.push_back({{"name", m.name},
                     {"id", m.id},
                     {"supported", optional(m.supported)},
                     {"may_sleep", m.may_sleep()},
                     {"in_top", m.in_top()},
                     {"needs_irq_source", m.needs_irq()},
                     {"chained", m.chained()},
                     {"contexts", contexts},
                     {"mechanism", m.mechanism},
                     {"windows", m.windows},
                     {"missing", m.missing}});
  }
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& s : c.sources)
    sources.push_back({{"name", s.name},
                       {"id", s.id},
                       {"present", optional(s.present)},
                       {"irq", s.irq()},
                       {"top_context", s.top_context()},
                       {"description", s.description}});
  // In the order an event passes them; the first three of the main stages
  // add up to timer_to_user (the breakdown the tools stack).
  constexpr std::array<Stage, kStageCount> kPipeline = {
      Stage::raise_to_top,     Stage::timer_to_top,   Stage::top_to_bottom, Stage::bottom_to_chain,
      Stage::bottom_to_signal, Stage::bottom_to_user, Stage::top_to_user,   Stage::timer_to_user};
  nlohmann::json stages = nlohmann::json::array();
  for (Stage st : kPipeline) {
    bool main = false, histogram = false;
    for (Stage s : kMainStages) main = main || s == st;
    for (Stage s : kUserStages) histogram = histogram || s == st;
    stages.push_back({{"name", std::string(stage_name(st))},
                      {"measures", std::string(stage_text(st))},
                      {"main", main},
                      {"histogram", histogram},
                      {"breakdown", main && st != Stage::top_to_user},
                      {"chained_only", st == Stage::bottom_to_chain}});
  }
  return {{"schema", kCatalogueSchema},
          {"from", c.from},
          {"modes", modes},
          {"sources", sources},
          {"stages", stages},
          {"limits",
           {{"period_ns_min", IRQBRIDGE_PERIOD_MIN_NS},
            {"period_ns_max", IRQBRIDGE_PERIOD_MAX_NS},
            {"events_max", IRQBRIDGE_EVENTS_MAX},
            {"work_ns_max", IRQBRIDGE_WORK_MAX_NS},
            {"sleep_us_max", IRQBRIDGE_SLEEP_MAX_US},
            {"run_work_ns_max", IRQBRIDGE_RUN_WORK_MAX_NS},
            {"sessions_max", IRQBRIDGE_SESSIONS_MAX},
            {"burst_max", IRQBRIDGE_BURST_MAX},
            {"cpu_rate_max", IRQBRIDGE_CPU_RATE_MAX}}}};
}

std::string burst_refusal(std::uint32_t burst, std::uint64_t period_ns, std::uint32_t source) {
  if (burst < 1 || burst > IRQBRIDGE_BURST_MAX)
    return fmt::format("--burst {} is outside 1 .. {}", burst, IRQBRIDGE_BURST_MAX);
  if (source == IRQBRIDGE_SOURCE_EDU && burst > 1)
    return "the edu device raises no interrupt before the last one is acknowledged: --burst 1 "
           "with the edu source (the timer and irqchip sources storm)";
  // The kernel's rule, integer for integer: burst * 1e9 / period.
  const std::uint64_t least_ns = std::uint64_t{burst} * 1000000000ULL / IRQBRIDGE_CPU_RATE_MAX;
  if (period_ns == 0 || std::uint64_t{burst} * 1000000000ULL / period_ns > IRQBRIDGE_CPU_RATE_MAX)
    return fmt::format(
        "--burst {} at a period of {:g} us raises more than {} top halves per second (a CPU's "
        "budget): lengthen the period to at least {:g} us or lower the burst",
        burst, static_cast<double>(period_ns) / 1000.0, IRQBRIDGE_CPU_RATE_MAX,
        static_cast<double>(least_ns) / 1000.0);
  return {};
}

}  // namespace irqbridge
