// io_uring IORING_OP_READ of the eventfd's 8-byte counter: the default.
// The read stays queued across a timeout.
#include <liburing.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/error.hpp"
#include "irqbridge/unique_fd.hpp"
#include "waiter_impl.hpp"

namespace irqbridge::detail {

namespace {

class UringReadWaiter final : public Waiter {
 public:
  UringReadWaiter() : efd_(make_eventfd(true)) {
    const int ret = io_uring_queue_init(4, &ring_, 0);
    if (ret < 0) throw Error(std::string("io_uring_queue_init: ") + std::strerror(-ret));
  }
  UringReadWaiter(const UringReadWaiter&) = delete;
  UringReadWaiter& operator=(const UringReadWaiter&) = delete;
  UringReadWaiter(UringReadWaiter&&) = delete;  // the ring points at buffer_
  UringReadWaiter& operator=(UringReadWaiter&&) = delete;
  ~UringReadWaiter() override { io_uring_queue_exit(&ring_); }

  [[nodiscard]] int eventfd() const override { return efd_.get(); }

  std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (!read_queued_) submit_read();
      const auto left = time_left(deadline);
      if (left.count() == 0) return std::nullopt;
      __kernel_timespec ts{};
      ts.tv_sec = left.count() / 1000000000;
      ts.tv_nsec = left.count() % 1000000000;

      io_uring_cqe* cqe = nullptr;
      const int ret = io_uring_wait_cqe_timeout(&ring_, &cqe, &ts);
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

 private:
  void submit_read() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) throw Error("io_uring: no submission slot");
    io_uring_prep_read(sqe, efd_.get(), &buffer_, sizeof(buffer_), 0);
    const int ret = io_uring_submit(&ring_);
    if (ret < 0) throw Error(std::string("io_uring_submit: ") + std::strerror(-ret));
    read_queued_ = true;
  }

  UniqueFd efd_;
  io_uring ring_{};
  bool read_queued_ = false;
  std::uint64_t buffer_ = 0;
};

}  // namespace

std::unique_ptr<Waiter> make_uring_read_waiter() { return std::make_unique<UringReadWaiter>(); }

}  // namespace irqbridge::detail
