// How the reader's io_uring is set up: the flags liburing documents for a
// ring used by one thread that submits and waits (io_uring_setup(2),
// liburing's "io_uring and networking" notes), tried newest first, each
// dropped when the kernel answers EINVAL. Pure logic: the ring itself is
// made by the caller's init function, so this is tested without one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace irqbridge {

// io_uring_setup(2) flag values (<linux/io_uring.h>), repeated so that the
// logic builds against any header.
inline constexpr std::uint32_t kUringCoopTaskrun = 1U << 8;    // 5.19
inline constexpr std::uint32_t kUringSingleIssuer = 1U << 12;  // 6.0
inline constexpr std::uint32_t kUringDeferTaskrun = 1U << 13;  // 6.1, needs SINGLE_ISSUER

// In the order tried: SINGLE_ISSUER | DEFER_TASKRUN (completions are run
// only when the one thread waits: no task-work interrupt of the reader),
// SINGLE_ISSUER | COOP_TASKRUN (6.0), COOP_TASKRUN (5.19), none.
std::span<const std::uint32_t> uring_setup_candidates();

// "SINGLE_ISSUER|DEFER_TASKRUN", "COOP_TASKRUN", "none"; unknown bits as hex.
std::string uring_setup_name(std::uint32_t flags);

// Calls init(flags) for each candidate until one returns 0; -EINVAL (a flag
// this kernel does not know) moves on to the next. Returns the flags that
// worked. Throws Error with the errno's text for any other negative return,
// or when even the plain setup fails.
// With `only`, that one setup is tried and nothing else (an EINVAL is then
// an error too): the same-boot comparison of setups
// (IRQBRIDGE_URING_SETUP, see uring_setup_override()).
std::uint32_t choose_uring_setup(const std::function<int(std::uint32_t)>& init,
                                 std::optional<std::uint32_t> only = std::nullopt);

// The environment's IRQBRIDGE_URING_SETUP: unset or empty -> nullopt (the
// candidates in order); "none" -> 0; else '|'-separated names as
// uring_setup_name() prints them. Throws Error for anything else.
std::optional<std::uint32_t> parse_uring_setup(const char* value);

// What the reader's io_uring ran with, for the report.
struct UringSetup {
  std::uint32_t flags = 0;
  bool registered_ring_fd = false;  // io_uring_register_ring_fd (5.18)
  bool fixed_eventfd = false;       // the eventfd as registered file 0
  [[nodiscard]] std::string name() const { return uring_setup_name(flags); }
};

}  // namespace irqbridge
