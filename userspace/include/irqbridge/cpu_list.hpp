// "0,2-3" or "all" → CPU numbers. Pure logic.
#pragma once

#include <string_view>
#include <vector>

namespace irqbridge {

// CPUs named by a list of numbers and ranges ("0,2-3"), or every one of
// 0 .. online-1 for "all". Ascending, without repeats. Throws Error with
// a one-line message for a malformed list, a CPU outside 0 .. online-1, or
// a CPU listed twice.
std::vector<int> parse_cpu_list(std::string_view list, long online);

}  // namespace irqbridge
