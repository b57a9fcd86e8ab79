// Runs cyclictest (Debian's rt-tests) as the floor of a comparison.
#pragma once

#include <cstdint>
#include <vector>

#include "irqbridge/floor.hpp"

namespace irqbridge {

struct FloorSettings {
  std::uint64_t period_us = 1000;  // cyclictest's -i is whole microseconds
  std::uint64_t loops = 1000;
  int priority = 0;  // 0: SCHED_OTHER, else SCHED_FIFO priority
  bool mlockall = false;
  int cpu = -1;           // -a CPU, -1: not pinned
  std::vector<int> cpus;  // if set: one thread per CPU (-t N -a LIST), all pooled
};

// Runs `cyclictest -q -t1 -l LOOPS -i PERIOD [-p PRIO] [-m] [-a CPU] -h MAX
// --json FILE` (or -tN -a LIST for several CPUs) and parses its result. Never throws for a
// cyclictest that is missing or fails: the floor then says why it is not available.
Floor run_cyclictest(const FloorSettings& settings);

}  // namespace irqbridge
