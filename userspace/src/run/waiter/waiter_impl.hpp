// The waiter variants, each in its own file; make_waiter picks one.
#pragma once

#include <liburing.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "irqbridge/run/waiter/waiter.hpp"
#include "irqbridge/sys/uring_setup.hpp"

namespace irqbridge::detail {

std::unique_ptr<Waiter> make_uring_read_waiter();
std::unique_ptr<Waiter> make_read_waiter();
std::unique_ptr<Waiter> make_epoll_waiter();
std::unique_ptr<Waiter> make_uring_poll_waiter();
std::unique_ptr<Waiter> make_uring_mshot_waiter();
std::unique_ptr<Waiter> make_device_read_waiter();

// An io_uring of a few entries, for one thread that submits and waits on
// one eventfd: set up with the newest of the flags of choose_uring_setup()
// the kernel has, its fd registered (io_uring_enter without fdget) and the
// eventfd registered as fixed file 0, each where the kernel allows it.
// Create, use and destroy it on the thread that waits (SINGLE_ISSUER).
// Errors throw Error.
class IoUring {
 public:
  explicit IoUring(int eventfd);
  IoUring(const IoUring&) = delete;
  IoUring& operator=(const IoUring&) = delete;
  IoUring(IoUring&&) = delete;
  IoUring& operator=(IoUring&&) = delete;
  ~IoUring();

  // A submission slot for an operation on the eventfd: its fd (or fixed
  // file index) and flags are set; prepare it with target() as the fd.
  io_uring_sqe* sqe();
  [[nodiscard]] int target() const { return setup_.fixed_eventfd ? 0 : eventfd_; }
  // After io_uring_prep_*(sqe(), target(), ...): marks a fixed file.
  void fixed(io_uring_sqe* sqe) const;
  // Submits what is queued and waits for the next completion in one
  // io_uring_enter; nullptr at the deadline (EINTR retried).
  io_uring_cqe* submit_and_wait(std::chrono::steady_clock::time_point deadline);
  // A completion already there, or nullptr.
  io_uring_cqe* peek();
  void seen(io_uring_cqe* cqe);
  [[nodiscard]] const UringSetup& setup() const { return setup_; }
  // For registrations the class does not wrap (provided buffers).
  io_uring* raw() { return &ring_; }

 private:
  io_uring ring_{};
  int eventfd_;
  UringSetup setup_;
};

// A non-blocking (or blocking) eventfd; throws Error.
int make_eventfd(bool nonblocking);
// Time left until deadline, never negative.
std::chrono::nanoseconds time_left(std::chrono::steady_clock::time_point deadline);
// Reads the 8-byte counter: its value, or nullopt on EAGAIN/EINTR; throws
// Error on anything else.
std::optional<std::uint64_t> read_counter(int fd);

}  // namespace irqbridge::detail
