#include "irqbridge/run/floor.hpp"

#include <charconv>
#include <limits>
#include <string>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {

namespace {

constexpr std::int64_t kNsPerUs = 1000;
// Largest microsecond value whose bin's upper edge still fits an int64 of
// nanoseconds.
constexpr std::int64_t kMaxUs = std::numeric_limits<std::int64_t>::max() / kNsPerUs - 1;

std::uint64_t count_of(const nlohmann::json& v, const std::string& what) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0)
    return static_cast<std::uint64_t>(v.get<std::int64_t>());
  throw Error("cyclictest JSON: " + what + " is not a non-negative integer");
}

// A whole number of microseconds in 0 .. kMaxUs, as JSON number or key.
std::int64_t microseconds_of(const nlohmann::json& v, const std::string& what) {
  std::int64_t us = -1;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    us = u > static_cast<std::uint64_t>(kMaxUs) ? -1 : static_cast<std::int64_t>(u);
  } else if (v.is_number_integer()) {
    us = v.get<std::int64_t>();
  }
  if (us < 0 || us > kMaxUs)
    throw Error("cyclictest JSON: " + what + " is not a whole number of microseconds");
  return us;
}

std::int64_t key_microseconds(const std::string& key) {
  std::int64_t us = -1;
  const char* end = key.data() + key.size();
  const auto [ptr, ec] = std::from_chars(key.data(), end, us);
  if (key.empty() || ec != std::errc() || ptr != end || us < 0 || us > kMaxUs)
    throw Error("cyclictest JSON: histogram key '" + key + "' is not a number");
  return us;
}

// cyclictest's bin k holds [k, k+1) us: a sample is recorded at the bin's
// upper edge, the convention of the modes' histograms (a quantile is the
// upper edge of its bucket), so a ratio of the two is not biased up.
std::int64_t upper_edge_ns(std::int64_t us) { return us * kNsPerUs + (kNsPerUs - 1); }

}  // namespace

Floor parse_cyclictest_json(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("thread") || !doc["thread"].is_object())
    throw Error("cyclictest JSON: no \"thread\" object");
  Floor f;
  for (const auto& [id, t] : doc["thread"].items()) {
    if (!t.is_object() || !t.contains("histogram") || !t.contains("cycles") || !t.contains("max"))
      throw Error("cyclictest JSON: thread " + id + " lacks histogram, cycles or max");
    if (!t["histogram"].is_object())
      throw Error("cyclictest JSON: thread " + id + ": histogram is not an object");
    std::uint64_t in_histogram = 0;
    for (const auto& [us, n] : t["histogram"].items()) {
      const std::int64_t value = key_microseconds(us);
      const std::uint64_t count = count_of(n, "histogram count of '" + us + "'");
      f.histogram.record(upper_edge_ns(value), count);
      in_histogram += count;
    }
    const std::uint64_t cycles = count_of(t["cycles"], "thread " + id + " cycles");
    const std::int64_t max_us = microseconds_of(t["max"], "thread " + id + " max");
    if (cycles > in_histogram) {
      f.overflows += cycles - in_histogram;
      f.histogram.record(upper_edge_ns(max_us), cycles - in_histogram);
    }
    f.cycles += cycles;
  }
  if (f.cycles == 0) throw Error("cyclictest JSON: no cycles measured");
  f.available = true;
  f.reason.clear();
  return f;
}

}  // namespace irqbridge
