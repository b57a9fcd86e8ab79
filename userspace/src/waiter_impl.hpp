// The waiter variants, each in its own file; make_waiter picks one.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "irqbridge/waiter.hpp"

namespace irqbridge::detail {

std::unique_ptr<Waiter> make_uring_read_waiter();
std::unique_ptr<Waiter> make_read_waiter();
std::unique_ptr<Waiter> make_epoll_waiter();
std::unique_ptr<Waiter> make_uring_poll_waiter();

// A non-blocking (or blocking) eventfd; throws Error.
int make_eventfd(bool nonblocking);
// Time left until deadline, never negative.
std::chrono::nanoseconds time_left(std::chrono::steady_clock::time_point deadline);
// Reads the 8-byte counter: its value, or nullopt on EAGAIN/EINTR; throws
// Error on anything else.
std::optional<std::uint64_t> read_counter(int fd);

}  // namespace irqbridge::detail
