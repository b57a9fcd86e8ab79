#include "irqbridge/sys/cpu_list.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/list.hpp"

namespace irqbridge {
namespace {

int parse_cpu(std::string_view text, std::string_view list) {
  int cpu = -1;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, cpu);
  if (text.empty() || ec != std::errc() || ptr != end || cpu < 0)
    throw Error(fmt::format("--cpus '{}': '{}' is not a CPU number", list, text));
  return cpu;
}

}  // namespace

std::string format_cpu_list(std::span<const int> cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) j++;
    out += (out.empty() ? "" : ",") + std::to_string(cpus[i]);
    if (j > i) out += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

std::vector<int> parse_cpu_list(std::string_view list, std::span<const int> usable) {
  std::vector<int> cpus;
  if (list == "all") {
    cpus.assign(usable.begin(), usable.end());
    std::sort(cpus.begin(), cpus.end());
    return cpus;
  }
  if (list.empty()) throw Error("--cpus: empty list (give e.g. 0,1 or 0-3 or all)");
  for (const std::string_view item : split_list(list)) {
    const auto dash = item.find('-');
    const int first = parse_cpu(item.substr(0, dash), list);
    const int last =
        dash == std::string_view::npos ? first : parse_cpu(item.substr(dash + 1), list);
    if (last < first) throw Error(fmt::format("--cpus '{}': range {} runs backwards", list, item));
    for (int c = first; c <= last; c++) {
      if (std::find(usable.begin(), usable.end(), c) == usable.end())
        throw Error(fmt::format("--cpus '{}': CPU {} is not one this process may use ({})", list, c,
                                format_cpu_list(usable)));
      if (std::find(cpus.begin(), cpus.end(), c) != cpus.end())
        throw Error(fmt::format("--cpus '{}': CPU {} is listed twice", list, c));
      cpus.push_back(c);
    }
  }
  std::sort(cpus.begin(), cpus.end());
  return cpus;
}

}  // namespace irqbridge
