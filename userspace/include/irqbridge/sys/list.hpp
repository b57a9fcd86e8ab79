// Comma-separated lists ("tasklet,workqueue", "0,2-3", "1000,100"): split
// once, here, for every option that takes one. Pure logic.
#pragma once

#include <string_view>
#include <vector>

namespace irqbridge {

// The items between the commas, every empty one kept ("a,,b" -> a, "", b;
// "" -> one empty item) for the caller to refuse with its own line.
//
// Why not CLI11: 2.1.2's ->delimiter(',') splits in Option::_add_result,
// before any Validator runs, and drops the empty items there, so
// "tasklet,,workqueue", ",0" and "100," would pass as well formed and
// each_check never sees the hole (tests/unit/sys/list_test.cpp shows it).
// The list options take the whole string instead and check it with a
// Validator built on this (userspace/cli/options.cpp).
inline std::vector<std::string_view> split_list(std::string_view list) {
  std::vector<std::string_view> items;
  while (true) {
    const auto comma = list.find(',');
    items.push_back(list.substr(0, comma));
    if (comma == std::string_view::npos) return items;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace irqbridge
