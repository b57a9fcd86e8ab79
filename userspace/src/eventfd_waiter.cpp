#include "irqbridge/eventfd_waiter.hpp"

#include <sys/eventfd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/error.hpp"

namespace irqbridge {

EventfdWaiter::EventfdWaiter() : efd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!efd_) throw Error(std::string("eventfd: ") + std::strerror(errno));
  int ret = io_uring_queue_init(4, &ring_, 0);
  if (ret < 0) throw Error(std::string("io_uring_queue_init: ") + std::strerror(-ret));
}

EventfdWaiter::~EventfdWaiter() { io_uring_queue_exit(&ring_); }

void EventfdWaiter::submit_read() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) throw Error("io_uring: no submission slot");
  io_uring_prep_read(sqe, efd_.get(), &buffer_, sizeof(buffer_), 0);
  int ret = io_uring_submit(&ring_);
  if (ret < 0) throw Error(std::string("io_uring_submit: ") + std::strerror(-ret));
  read_queued_ = true;
}

std::optional<std::uint64_t> EventfdWaiter::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (!read_queued_) submit_read();
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return std::nullopt;
    __kernel_timespec ts{};
    ts.tv_sec = left.count() / 1000000000;
    ts.tv_nsec = left.count() % 1000000000;

    io_uring_cqe* cqe = nullptr;
    int ret = io_uring_wait_cqe_timeout(&ring_, &cqe, &ts);
    if (ret == -ETIME) return std::nullopt;
    if (ret == -EINTR) continue;
    if (ret < 0) throw Error(std::string("io_uring_wait_cqe: ") + std::strerror(-ret));
    const int res = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
    read_queued_ = false;
    if (res == -EAGAIN || res == -EINTR) continue;
    if (res < 0) throw Error(std::string("reading the eventfd: ") + std::strerror(-res));
    if (res != sizeof(buffer_))
      throw Error("reading the eventfd returned " + std::to_string(res) + " bytes, not 8");
    return buffer_;
  }
}

}  // namespace irqbridge
