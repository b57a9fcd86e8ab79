// The floor the reader's path is judged against: cyclictest in the same
// boot, with the same period, count, priority and CPU placement (timer
// expiry → a user thread running, the shortest path there is). Parsing its
// JSON output is pure logic; running it is in cyclictest_runner.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "irqbridge/analysis/histogram.hpp"

namespace irqbridge {

struct Floor {
  std::string tool = "cyclictest";
  bool available = false;
  std::string reason = "not run";  // why there is no floor
  std::string command;             // how it was run
  std::uint64_t cycles = 0;
  std::uint64_t overflows = 0;  // samples beyond its histogram: recorded at its max
  Histogram histogram;          // ns
};

// Reads `cyclictest --json` output (rt-tests 2.x: thread.<n>.histogram maps
// microseconds to counts; cycles, min, max). Every thread's samples are
// pooled; samples beyond the histogram (cycles minus the histogram's total)
// are recorded at the reported max. Bin k means [k, k+1) us and is recorded
// at its upper edge, k us + 999 ns: the modes' quantiles are upper bucket
// edges too, so ratios of the two share one convention. Throws Error (never
// another exception type) on a malformed document: a non-numeric or
// out-of-range max, a key that is not wholly a number, a histogram that is
// not an object.
Floor parse_cyclictest_json(const nlohmann::json& doc);

}  // namespace irqbridge
