#include "irqbridge/sys/uring_setup.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {

namespace {

constexpr std::array<std::uint32_t, 4> kCandidates = {
    kUringSingleIssuer | kUringDeferTaskrun,
    kUringSingleIssuer | kUringCoopTaskrun,
    kUringCoopTaskrun,
    0,
};

}  // namespace

std::span<const std::uint32_t> uring_setup_candidates() { return kCandidates; }

std::string uring_setup_name(std::uint32_t flags) {
  if (flags == 0) return "none";
  std::string out;
  for (auto [bit, name] : {std::pair{kUringSingleIssuer, "SINGLE_ISSUER"},
                           std::pair{kUringDeferTaskrun, "DEFER_TASKRUN"},
                           std::pair{kUringCoopTaskrun, "COOP_TASKRUN"}}) {
    if ((flags & bit) == 0) continue;
    out += (out.empty() ? "" : "|") + std::string(name);
    flags &= ~bit;
  }
  if (flags != 0) out += fmt::format("{}{:#x}", out.empty() ? "" : "|", flags);
  return out;
}

std::uint32_t choose_uring_setup(const std::function<int(std::uint32_t)>& init,
                                 std::optional<std::uint32_t> only) {
  const std::span<const std::uint32_t> all = kCandidates;
  const std::span<const std::uint32_t> tried = only ? std::span(&*only, 1) : all;
  for (std::uint32_t flags : tried) {
    const int ret = init(flags);
    if (ret == 0) return flags;
    if (ret != -EINVAL || flags == 0 || only)
      throw Error(fmt::format("io_uring_queue_init ({}): {}", uring_setup_name(flags),
                              std::strerror(-ret)));
  }
  throw Error("io_uring_queue_init: no setup left to try");  // not reached: 0 is last
}

std::optional<std::uint32_t> parse_uring_setup(const char* value) {
  if (value == nullptr || *value == '\0') return std::nullopt;
  const std::string_view v(value);
  if (v == "none") return 0U;
  std::uint32_t flags = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t bar = v.find('|', start);
    const std::string_view name =
        v.substr(start, bar == std::string_view::npos ? bar : bar - start);
    if (name == "SINGLE_ISSUER")
      flags |= kUringSingleIssuer;
    else if (name == "DEFER_TASKRUN")
      flags |= kUringDeferTaskrun;
    else if (name == "COOP_TASKRUN")
      flags |= kUringCoopTaskrun;
    else
      throw Error(
          fmt::format("IRQBRIDGE_URING_SETUP={}: '{}' is none of SINGLE_ISSUER, "
                      "DEFER_TASKRUN, COOP_TASKRUN (or the word none)",
                      v, name));
    if (bar == std::string_view::npos) return flags;
    start = bar + 1;
  }
}

}  // namespace irqbridge
