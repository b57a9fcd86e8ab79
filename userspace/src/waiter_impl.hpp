// The waiter variants, each in its own file; make_waiter picks one.
#pragma once

#include <liburing.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "irqbridge/waiter.hpp"

namespace irqbridge::detail {

std::unique_ptr<Waiter> make_uring_read_waiter();
std::unique_ptr<Waiter> make_read_waiter();
std::unique_ptr<Waiter> make_epoll_waiter();
std::unique_ptr<Waiter> make_uring_poll_waiter();
std::unique_ptr<Waiter> make_device_read_waiter();

// An io_uring of a few entries, for one waiter. Errors throw Error.
class IoUring {
 public:
  IoUring();
  IoUring(const IoUring&) = delete;
  IoUring& operator=(const IoUring&) = delete;
  IoUring(IoUring&&) = delete;
  IoUring& operator=(IoUring&&) = delete;
  ~IoUring();

  // A submission slot.
  io_uring_sqe* sqe();
  void submit();
  // The next completion, or nullptr at the deadline (EINTR retried).
  io_uring_cqe* wait(std::chrono::steady_clock::time_point deadline);
  // A completion already there, or nullptr.
  io_uring_cqe* peek();
  void seen(io_uring_cqe* cqe);

 private:
  io_uring ring_{};
};

// A non-blocking (or blocking) eventfd; throws Error.
int make_eventfd(bool nonblocking);
// Time left until deadline, never negative.
std::chrono::nanoseconds time_left(std::chrono::steady_clock::time_point deadline);
// Reads the 8-byte counter: its value, or nullopt on EAGAIN/EINTR; throws
// Error on anything else.
std::optional<std::uint64_t> read_counter(int fd);

}  // namespace irqbridge::detail
