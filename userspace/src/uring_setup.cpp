#include "irqbridge/uring_setup.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "irqbridge/error.hpp"

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

std::uint32_t choose_uring_setup(const std::function<int(std::uint32_t)>& init) {
  for (std::uint32_t flags : kCandidates) {
    const int ret = init(flags);
    if (ret == 0) return flags;
    if (ret != -EINVAL || flags == 0)
      throw Error(fmt::format("io_uring_queue_init ({}): {}", uring_setup_name(flags),
                              std::strerror(-ret)));
  }
  throw Error("io_uring_queue_init: no setup left to try");  // not reached: 0 is last
}

}  // namespace irqbridge
