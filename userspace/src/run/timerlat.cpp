#include "irqbridge/run/timerlat.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {

namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

[[noreturn]] void fail(const std::string& what) { throw Error("rtla timerlat output: " + what); }

std::vector<std::string> split(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) i++;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') j++;
    if (j > i) out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

// A whole, non-negative decimal number: nothing else, no sign, no fraction.
std::optional<std::uint64_t> whole(const std::string& s) {
  std::uint64_t v = 0;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::uint64_t number(const std::string& s, const std::string& where) {
  const auto v = whole(s);
  if (!v) fail(where + ": '" + s + "' is not a whole number");
  return *v;
}

std::uint64_t add(std::uint64_t a, std::uint64_t b, const std::string& where) {
  std::uint64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) fail(where + ": counts overflow");
  return sum;
}

enum class Side { irq, thread, user };

struct Column {
  Side side = Side::irq;
  int cpu = 0;
  std::string name;
  std::uint64_t in_histogram = 0;
  std::map<std::string, std::optional<std::uint64_t>> summary;  // over, count, min, avg, max
  std::vector<std::pair<std::uint64_t, std::uint64_t>> bins;    // (value, count)
};

Column column_of(const std::string& name) {
  Column c;
  c.name = name;
  const auto dash = name.find('-');
  const std::string kind = name.substr(0, dash);
  if (kind == "IRQ")
    c.side = Side::irq;
  else if (kind == "Thr")
    c.side = Side::thread;
  else if (kind == "Usr")
    c.side = Side::user;
  else
    fail("unknown column '" + name + "' (want IRQ-N, Thr-N or Usr-N)");
  const auto cpu = dash == std::string::npos ? std::nullopt : whole(name.substr(dash + 1));
  if (!cpu || *cpu > 1U << 20) fail("column '" + name + "' names no CPU");
  c.cpu = static_cast<int>(*cpu);
  return c;
}

bool is_summary_row(std::string_view label) {
  return label == "over:" || label == "count:" || label == "min:" || label == "avg:" ||
         label == "max:";
}

// The largest value (in the output's unit) whose bin's upper edge in ns
// still fits an int64.
std::uint64_t max_value(std::uint64_t unit_ns, std::uint64_t bucket) {
  return static_cast<std::uint64_t>(kInt64Max) / unit_ns - bucket;
}

}  // namespace

TimerlatResult parse_timerlat_hist(std::string_view text, std::uint64_t bucket) {
  if (bucket == 0 || bucket > 1000000000) fail("bucket size out of range");
  std::uint64_t unit_ns = 0;
  std::vector<Column> cols;
  bool header = false;
  bool done = false;
  std::istringstream in{std::string(text)};
  std::string line;
  unsigned lineno = 0;
  while (!done && std::getline(in, line)) {
    lineno++;
    const std::string where = "line " + std::to_string(lineno);
    const auto tok = split(line);
    if (tok.empty()) continue;
    if (tok[0][0] == '#') {
      if (line.find("Time unit is microseconds") != std::string::npos) unit_ns = 1000;
      if (line.find("Time unit is nanoseconds") != std::string::npos) unit_ns = 1;
      continue;
    }
    if (tok[0] == "Index") {
      if (header) fail(where + ": a second header");
      if (tok.size() < 2) fail(where + ": a header without columns");
      for (std::size_t i = 1; i < tok.size(); i++) cols.push_back(column_of(tok[i]));
      header = true;
      continue;
    }
    if (!header) fail(where + ": '" + tok[0] + "' before the Index header");
    if (tok.size() != cols.size() + 1)
      fail(where + ": " + std::to_string(tok.size() - 1) + " values for " +
           std::to_string(cols.size()) + " columns");
    if (is_summary_row(tok[0])) {
      const std::string key = tok[0].substr(0, tok[0].size() - 1);
      for (std::size_t i = 0; i < cols.size(); i++) {
        if (cols[i].summary.count(key) != 0) fail(where + ": a second " + tok[0] + " row");
        // Newer rtla prints "-" for the min/avg/max of a column without samples.
        if (tok[i + 1] == "-" && key != "over" && key != "count")
          cols[i].summary[key] = std::nullopt;
        else
          cols[i].summary[key] = number(tok[i + 1], where + " " + tok[0]);
      }
      done = key == "max";  // newer rtla's ALL: block follows; not read
      continue;
    }
    if (!cols.empty() && cols[0].summary.count("over") != 0)
      fail(where + ": a histogram row after the summary");
    const std::uint64_t value = number(tok[0], where + " index");
    for (std::size_t i = 0; i < cols.size(); i++) {
      const std::uint64_t n = number(tok[i + 1], where + " " + cols[i].name);
      if (n == 0) continue;
      cols[i].in_histogram = add(cols[i].in_histogram, n, where);
      cols[i].bins.emplace_back(value, n);
    }
  }
  if (!header) fail("no Index header (is this `rtla timerlat hist` output?)");
  if (unit_ns == 0) fail("no \"# Time unit is ...\" line");
  const std::uint64_t limit = max_value(unit_ns, bucket);

  TimerlatResult r;
  std::set<int> cpus;
  for (Column& c : cols) {
    for (const char* key : {"over", "count", "max"})
      if (c.summary.count(key) == 0) fail(c.name + ": no " + key + ": row");
    const std::uint64_t count = *c.summary["count"];
    const std::uint64_t over = *c.summary["over"];
    if (add(c.in_histogram, over, c.name) != count)
      fail(c.name + ": count " + std::to_string(count) + " != histogram " +
           std::to_string(c.in_histogram) + " + over " + std::to_string(over));
    if (c.side == Side::user) continue;
    TimerlatSide& side = c.side == Side::irq ? r.irq : r.thread;
    for (const auto& [value, n] : c.bins) {
      if (value > limit) fail(c.name + ": value " + std::to_string(value) + " out of range");
      side.histogram.record(static_cast<std::int64_t>((value + bucket) * unit_ns - 1), n);
    }
    if (over > 0) {
      const auto& max = c.summary["max"];
      if (!max || *max > limit) fail(c.name + ": samples over the histogram but no usable max");
      side.histogram.record(static_cast<std::int64_t>((*max + 1) * unit_ns - 1), over);
    }
    side.samples = add(side.samples, count, c.name);
    side.overflows = add(side.overflows, over, c.name);
    if (count > 0) cpus.insert(c.cpu);
  }
  if (r.irq.samples == 0 && r.thread.samples == 0) fail("no samples");
  r.cpus.assign(cpus.begin(), cpus.end());
  return r;
}

std::optional<std::string> timerlat_missing_reason(const std::optional<std::string>& tracers) {
  if (!tracers)
    return std::string(
        "tracefs is not mounted at /sys/kernel/tracing (no available_tracers to read)");
  for (const auto& t : split(*tracers))
    if (t == "timerlat") return std::nullopt;
  return std::string("the kernel has no timerlat tracer (CONFIG_TIMERLAT_TRACER is not set)");
}

std::vector<std::string> timerlat_args(const TimerlatSettings& s) {
  std::vector<std::string> a = {"rtla",
                                "timerlat",
                                "hist",
                                "-d",
                                std::to_string(s.duration_s),
                                "-p",
                                std::to_string(s.period_us),
                                "-P",
                                s.priority > 0 ? "f:" + std::to_string(s.priority) : "o:0"};
  if (!s.cpus.empty()) {
    std::string list;
    for (int c : s.cpus) list += (list.empty() ? "" : ",") + std::to_string(c);
    a.emplace_back("-c");
    a.push_back(list);
  }
  a.insert(a.end(), {"-E", std::to_string(s.entries), "-b", std::to_string(s.bucket_us),
                     "--dma-latency", std::to_string(s.dma_latency_us)});
  return a;
}

std::uint64_t timerlat_duration_s(std::uint64_t loops, std::uint64_t period_us) {
  constexpr std::uint64_t kUsPerS = 1000000;
  if (period_us == 0) return 1;
  if (loops > std::numeric_limits<std::uint64_t>::max() / period_us)
    return std::numeric_limits<std::uint64_t>::max() / kUsPerS;
  return std::max<std::uint64_t>(1, (loops * period_us + kUsPerS - 1) / kUsPerS);
}

}  // namespace irqbridge
