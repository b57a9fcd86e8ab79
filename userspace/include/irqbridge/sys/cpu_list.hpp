// "0,2-3" or "all" → CPU numbers. Pure logic.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace irqbridge {

// CPUs named by a list of numbers and ranges ("0,2-3"), or every one of
// usable for "all". usable: the CPUs this process may run on (online and in
// its cpuset: sched_getaffinity), not 0 .. N-1, which a machine with a CPU
// offline or a container's cpuset breaks. Ascending, without repeats.
// Throws Error with a one-line message for a malformed list, a CPU not in
// usable, or a CPU listed twice.
std::vector<int> parse_cpu_list(std::string_view list, std::span<const int> usable);

// Ascending CPUs as a list with ranges: {0, 1, 2, 5} -> "0-2,5".
std::string format_cpu_list(std::span<const int> cpus);

}  // namespace irqbridge
