// The compiled-in catalogue is the module's: the same mode and source
// numbers as the uapi header, the same names and capability flags as the
// rows of kmod/irqbridge_bottom.c's table and the sources' ops (read from
// the sources here, since the module cannot be loaded on the host; the e2e
// DeviceTest.CatalogueIsWhatConfigureEnforces checks the loaded module).
#include "irqbridge/abi/catalogue.hpp"

#include <gtest/gtest.h>
#include <uapi/irqbridge.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "irqbridge/analysis/analysis.hpp"

namespace irqbridge {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  EXPECT_TRUE(f) << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// IRQBRIDGE_<prefix>X values from the uapi header, by X.
std::map<std::string, std::uint32_t> uapi_values(const std::string& prefix) {
  std::map<std::string, std::uint32_t> out;
  const std::string text = slurp(IRQBRIDGE_KMOD_DIR "/uapi/irqbridge.h");
  const std::regex def("#define IRQBRIDGE_" + prefix + "([A-Z_]+)\\s+([0-9]+)\\b");
  for (std::sregex_iterator it(text.begin(), text.end(), def), end; it != end; ++it)
    if ((*it)[1] != "MAX") out[(*it)[1]] = static_cast<std::uint32_t>(std::stoul((*it)[2]));
  return out;
}

struct KernelRow {
  std::string name;
  std::uint32_t caps = 0;
};

// The rows of irqbridge_bh_table: { .mode = IRQBRIDGE_MODE_X, .name = "x", flags... }.
std::map<std::uint32_t, KernelRow> kernel_mode_rows() {
  const auto values = uapi_values("MODE_");
  std::string text = slurp(IRQBRIDGE_KMOD_DIR "/irqbridge_bottom.c");
  text = text.substr(text.find("irqbridge_bh_table[] = {"));
  text = text.substr(0, text.find("\n};"));
  std::map<std::uint32_t, KernelRow> rows;
  const std::regex row("\\.mode = IRQBRIDGE_MODE_([A-Z_]+),\\s*\\.name = \"([a-z_]+)\",([^}]*)\\}");
  for (std::sregex_iterator it(text.begin(), text.end(), row), end; it != end; ++it) {
    const std::string body = (*it)[3];
    KernelRow r{.name = (*it)[2], .caps = 0};
    if (body.find(".may_sleep = true") != std::string::npos) r.caps |= IRQBRIDGE_MODE_CAP_MAY_SLEEP;
    if (body.find(".in_top = true") != std::string::npos) r.caps |= IRQBRIDGE_MODE_CAP_IN_TOP;
    if (body.find(".threaded = true") != std::string::npos) r.caps |= IRQBRIDGE_MODE_CAP_NEEDS_IRQ;
    if (body.find(".chained = true") != std::string::npos) r.caps |= IRQBRIDGE_MODE_CAP_CHAINED;
    EXPECT_TRUE(values.count((*it)[1])) << "IRQBRIDGE_MODE_" << (*it)[1] << " not in the uapi";
    rows[values.at((*it)[1])] = r;
  }
  return rows;
}

TEST(CatalogueTest, CompiledModesAreTheUapiNumbersAndTheKernelTableRows) {
  const Catalogue c = compiled_catalogue();
  EXPECT_EQ(c.from, "compiled-in");
  const auto values = uapi_values("MODE_");
  const auto rows = kernel_mode_rows();
  ASSERT_EQ(values.size(), std::size_t{IRQBRIDGE_MODE_MAX});
  ASSERT_EQ(rows.size(), values.size()) << "the kernel table has one row per uapi mode";
  ASSERT_EQ(c.modes.size(), values.size());
  std::set<std::uint32_t> ids;
  for (const auto& m : c.modes) {
    SCOPED_TRACE(m.name);
    EXPECT_TRUE(ids.insert(m.id).second) << "id twice";
    ASSERT_TRUE(rows.count(m.id)) << "no kernel row for id " << m.id;
    EXPECT_EQ(m.name, rows.at(m.id).name);
    EXPECT_EQ(m.caps, rows.at(m.id).caps) << "capability flags differ from the kernel's row";
    EXPECT_FALSE(m.supported.has_value()) << "only the module knows";
    EXPECT_FALSE(m.mechanism.empty());
    EXPECT_FALSE(m.windows.empty());
  }
}

TEST(CatalogueTest, CompiledSourcesAreTheUapiNumbersAndTheKernelNames) {
  const Catalogue c = compiled_catalogue();
  const auto values = uapi_values("SOURCE_");
  std::map<std::uint32_t, std::string> kernel;
  std::map<std::uint32_t, std::uint32_t> kernel_caps;
  // A row: its number, its name, then its flags up to the first op.
  const std::regex ops(
      "\\.source = IRQBRIDGE_SOURCE_([A-Z_]+),\\s*\\.name = \"([a-z_]+)\",([^}]*?)\\.available");
  for (const char* file : {"irqbridge_source.c", "irqbridge_irqchip.c", "irqbridge_edu.c"}) {
    const std::string text = slurp(std::string(IRQBRIDGE_KMOD_DIR "/") + file);
    for (std::sregex_iterator it(text.begin(), text.end(), ops), end; it != end; ++it) {
      const std::uint32_t id = values.at((*it)[1]);
      const std::string flags = (*it)[3];
      kernel[id] = (*it)[2];
      kernel_caps[id] =
          (flags.find(".irq = true") != std::string::npos ? IRQBRIDGE_SOURCE_CAP_IRQ : 0U) |
          (flags.find(".soft = true") != std::string::npos ? IRQBRIDGE_SOURCE_CAP_SOFTIRQ : 0U);
    }
  }
  ASSERT_EQ(values.size(), std::size_t{IRQBRIDGE_SOURCE_MAX} + 1);
  ASSERT_EQ(kernel.size(), values.size());
  ASSERT_EQ(c.sources.size(), values.size());
  for (const auto& s : c.sources) {
    ASSERT_TRUE(kernel.count(s.id)) << s.name;
    EXPECT_EQ(s.name, kernel.at(s.id));
    EXPECT_EQ(s.caps, kernel_caps.at(s.id)) << s.name << ": interrupt / softirq flags";
    EXPECT_FALSE(s.present.has_value());
  }
  // The one soft source, and where each top half runs.
  const CatalogueSource* soft = c.source(IRQBRIDGE_SOURCE_TIMER_SOFT);
  ASSERT_NE(soft, nullptr);
  EXPECT_EQ(soft->name, "timer_soft");
  EXPECT_EQ(soft->top_context(), "softirq");
  EXPECT_FALSE(soft->irq());
  EXPECT_EQ(c.source(IRQBRIDGE_SOURCE_TIMER)->top_context(), "hardirq");
  EXPECT_TRUE(c.source(IRQBRIDGE_SOURCE_EDU)->irq());
}

irqbridge_catalogue Reply() {
  irqbridge_catalogue r{};
  r.size = sizeof(r);
  r.nr_modes = 3;
  r.modes[0] = {IRQBRIDGE_MODE_TASKLET, IRQBRIDGE_MODE_CAP_SUPPORTED, "tasklet"};
  r.modes[1] = {IRQBRIDGE_MODE_DPC_WORKITEM,
                IRQBRIDGE_MODE_CAP_MAY_SLEEP | IRQBRIDGE_MODE_CAP_CHAINED, "two_hops"};
  // A mode this build has never heard of: kept, with the module's word.
  r.modes[2] = {20, IRQBRIDGE_MODE_CAP_SUPPORTED | IRQBRIDGE_MODE_CAP_IN_TOP, "newmode"};
  r.nr_sources = 3;
  r.sources[0] = {IRQBRIDGE_SOURCE_TIMER, IRQBRIDGE_SOURCE_CAP_PRESENT, "timer"};
  r.sources[1] = {IRQBRIDGE_SOURCE_EDU, IRQBRIDGE_SOURCE_CAP_IRQ, "edu"};
  r.sources[2] = {IRQBRIDGE_SOURCE_TIMER_SOFT,
                  IRQBRIDGE_SOURCE_CAP_PRESENT | IRQBRIDGE_SOURCE_CAP_SOFTIRQ, "timer_soft"};
  return r;
}

TEST(CatalogueTest, ModuleReplyIsTakenAsItIsWithCompiledDescriptions) {
  const Catalogue c = module_catalogue(Reply());
  EXPECT_EQ(c.from, "module");
  ASSERT_EQ(c.modes.size(), 3u);
  EXPECT_EQ(c.modes[0].supported, true);
  EXPECT_EQ(c.modes[0].caps, 0u) << "SUPPORTED is kept apart from the rules";
  EXPECT_EQ(c.modes[0].mechanism, "tasklet_schedule()");
  EXPECT_EQ(c.modes[1].supported, false);
  EXPECT_EQ(c.modes[1].name, "two_hops") << "the module's name wins";
  EXPECT_FALSE(c.modes[1].windows.empty()) << "descriptions by number";
  EXPECT_TRUE(c.modes[1].chained());
  EXPECT_EQ(c.modes[1].bottom_context(), "softirq");
  EXPECT_EQ(c.modes[1].chain_context(), "task");
  EXPECT_EQ(c.modes[2].name, "newmode");
  EXPECT_EQ(c.modes[2].id, 20u);
  EXPECT_EQ(c.modes[2].bottom_context(), "hardirq");
  EXPECT_TRUE(c.modes[2].mechanism.empty());
  ASSERT_EQ(c.sources.size(), 3u);
  EXPECT_EQ(c.sources[0].present, true);
  EXPECT_EQ(c.sources[1].present, false);
  EXPECT_EQ(c.sources[1].name, "edu");
  EXPECT_TRUE(c.sources[1].irq());
  EXPECT_EQ(c.sources[1].caps, IRQBRIDGE_SOURCE_CAP_IRQ) << "PRESENT is kept apart";
  EXPECT_EQ(c.sources[2].present, true);
  EXPECT_EQ(c.sources[2].top_context(), "softirq");
  EXPECT_EQ(c.sources[0].top_context(), "hardirq");
}

TEST(CatalogueTest, JsonSaysWhereItCameFromAndDerivesContexts) {
  const nlohmann::json compiled = to_json(compiled_catalogue());
  EXPECT_EQ(compiled["schema"], kCatalogueSchema);
  EXPECT_EQ(compiled["from"], "compiled-in");
  EXPECT_TRUE(compiled["modes"][0]["supported"].is_null());
  EXPECT_TRUE(compiled["sources"][0]["present"].is_null());
  EXPECT_EQ(compiled["limits"]["period_ns_min"], IRQBRIDGE_PERIOD_MIN_NS);
  std::set<std::string> contexts;
  for (const auto& m : compiled["modes"]) {
    contexts.insert(m["contexts"]["bottom"].get<std::string>());
    EXPECT_EQ(m["contexts"]["top"], "hardirq");
    EXPECT_EQ(m["contexts"].contains("chain"), m["chained"].get<bool>());
    if (!m["may_sleep"].get<bool>()) {
      EXPECT_NE(m["contexts"]["bottom"], "task") << m["name"];
    }
  }
  EXPECT_EQ(contexts, (std::set<std::string>{"hardirq", "softirq", "task"}));
  std::size_t main = 0, breakdown = 0;
  std::set<std::string> stage_names;
  for (const auto& s : compiled["stages"]) {
    main += s["main"].get<bool>() ? 1U : 0U;
    breakdown += s["breakdown"].get<bool>() ? 1U : 0U;
    stage_names.insert(s["name"].get<std::string>());
  }
  EXPECT_EQ(main, 4u);
  EXPECT_EQ(breakdown, 3u);
  EXPECT_EQ(stage_names.size(), std::size_t{kStageCount}) << "every stage once";

  const nlohmann::json module = to_json(module_catalogue(Reply()));
  EXPECT_EQ(module["from"], "module");
  EXPECT_EQ(module["modes"][0]["supported"], true);
  EXPECT_EQ(module["modes"][1]["supported"], false);
  EXPECT_EQ(module["sources"][1]["present"], false);
}

// What the CLI refuses before CONFIGURE would: the kernel's rule, to the
// integer (burst * 1e9 / period at most the budget), edu 1 only.
TEST(CatalogueTest, BurstRefusalIsTheKernelsRule) {
  EXPECT_EQ(burst_refusal(1, IRQBRIDGE_PERIOD_MIN_NS, IRQBRIDGE_SOURCE_TIMER), "");
  EXPECT_EQ(burst_refusal(1, IRQBRIDGE_PERIOD_MIN_NS, IRQBRIDGE_SOURCE_EDU), "");
  EXPECT_EQ(burst_refusal(10, 100000, IRQBRIDGE_SOURCE_TIMER), "");  // 100,000/s exactly
  EXPECT_EQ(
      burst_refusal(IRQBRIDGE_BURST_MAX, IRQBRIDGE_BURST_MAX * 10000ULL, IRQBRIDGE_SOURCE_IRQCHIP),
      "");
  EXPECT_NE(burst_refusal(10, 99999, IRQBRIDGE_SOURCE_TIMER), "");  // one ns short
  EXPECT_NE(burst_refusal(0, 1000000, IRQBRIDGE_SOURCE_TIMER), "");
  EXPECT_NE(burst_refusal(IRQBRIDGE_BURST_MAX + 1, IRQBRIDGE_PERIOD_MAX_NS, IRQBRIDGE_SOURCE_TIMER),
            "");
  EXPECT_NE(burst_refusal(2, IRQBRIDGE_PERIOD_MAX_NS, IRQBRIDGE_SOURCE_EDU), "");
  EXPECT_NE(burst_refusal(2, 0, IRQBRIDGE_SOURCE_TIMER), "");
  // One line, naming the period it would need.
  const std::string why = burst_refusal(10, 50000, IRQBRIDGE_SOURCE_TIMER);
  EXPECT_EQ(why.find('\n'), std::string::npos);
  EXPECT_NE(why.find("at least 100 us"), std::string::npos) << why;
}

}  // namespace
}  // namespace irqbridge
