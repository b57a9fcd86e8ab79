#include "irqbridge/floor.hpp"

#include <string>

#include "irqbridge/error.hpp"

namespace irqbridge {

namespace {

constexpr std::int64_t kNsPerUs = 1000;

std::uint64_t count_of(const nlohmann::json& v) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
    throw Error("cyclictest JSON: a histogram count is not a non-negative integer");
  return v.get<std::uint64_t>();
}

}  // namespace

Floor parse_cyclictest_json(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("thread") || !doc["thread"].is_object())
    throw Error("cyclictest JSON: no \"thread\" object");
  Floor f;
  for (const auto& [id, t] : doc["thread"].items()) {
    if (!t.is_object() || !t.contains("histogram") || !t.contains("cycles") || !t.contains("max"))
      throw Error("cyclictest JSON: thread " + id + " lacks histogram, cycles or max");
    std::uint64_t in_histogram = 0;
    for (const auto& [us, n] : t["histogram"].items()) {
      std::int64_t value = 0;
      try {
        value = std::stoll(us);
      } catch (const std::exception&) {
        throw Error("cyclictest JSON: histogram key '" + us + "' is not a number");
      }
      const std::uint64_t count = count_of(n);
      f.histogram.record(value * kNsPerUs, count);
      in_histogram += count;
    }
    const std::uint64_t cycles = count_of(t["cycles"]);
    const std::int64_t max_ns = t["max"].get<std::int64_t>() * kNsPerUs;
    if (cycles > in_histogram) {
      f.overflows += cycles - in_histogram;
      f.histogram.record(max_ns, cycles - in_histogram);
    }
    f.cycles += cycles;
  }
  if (f.cycles == 0) throw Error("cyclictest JSON: no cycles measured");
  f.available = true;
  f.reason.clear();
  return f;
}

}  // namespace irqbridge
