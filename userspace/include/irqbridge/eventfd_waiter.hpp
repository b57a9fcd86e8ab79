// Waits on an eventfd with io_uring (IORING_OP_READ of its 8-byte counter).
#pragma once

#include <liburing.h>

#include <chrono>
#include <cstdint>
#include <optional>

#include "irqbridge/unique_fd.hpp"

namespace irqbridge {

class EventfdWaiter {
 public:
  // Creates a non-blocking eventfd and a small io_uring for it.
  EventfdWaiter();
  EventfdWaiter(const EventfdWaiter&) = delete;
  EventfdWaiter& operator=(const EventfdWaiter&) = delete;
  EventfdWaiter(EventfdWaiter&&) = delete;  // the ring points at buffer_
  EventfdWaiter& operator=(EventfdWaiter&&) = delete;
  ~EventfdWaiter();

  [[nodiscard]] int eventfd() const { return efd_.get(); }

  // The counter's value (events since the last read), or nullopt if nothing
  // arrived within timeout. The read stays queued across a timeout.
  std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout);

 private:
  void submit_read();

  UniqueFd efd_;
  io_uring ring_{};
  bool read_queued_ = false;
  std::uint64_t buffer_ = 0;
};

}  // namespace irqbridge
