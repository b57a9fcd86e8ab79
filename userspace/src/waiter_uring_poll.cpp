// One io_uring multishot poll (armed once, re-armed only when the kernel
// ends it), then read(2) of the counter: a wait and a read per wake-up, no
// submission per wake-up.
#include <liburing.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/error.hpp"
#include "irqbridge/unique_fd.hpp"
#include "waiter_impl.hpp"

namespace irqbridge::detail {

namespace {

class UringPollWaiter final : public Waiter {
 public:
  UringPollWaiter() : efd_(make_eventfd(true)) {
    const int ret = io_uring_queue_init(4, &ring_, 0);
    if (ret < 0) throw Error(std::string("io_uring_queue_init: ") + std::strerror(-ret));
  }
  UringPollWaiter(const UringPollWaiter&) = delete;
  UringPollWaiter& operator=(const UringPollWaiter&) = delete;
  UringPollWaiter(UringPollWaiter&&) = delete;
  UringPollWaiter& operator=(UringPollWaiter&&) = delete;
  ~UringPollWaiter() override { io_uring_queue_exit(&ring_); }

  [[nodiscard]] int eventfd() const override { return efd_.get(); }

  std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (!armed_) arm();
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
      // Every signal posts a completion: take all that are there, then read
      // the counter once. A completion left over from a value already read
      // makes the read find nothing (EAGAIN): wait on.
      do {
        consume(cqe);
      } while (io_uring_peek_cqe(&ring_, &cqe) == 0);
      if (auto v = read_counter(efd_.get())) return v;
    }
  }

 private:
  void consume(io_uring_cqe* cqe) {
    const int res = cqe->res;
    const bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
    io_uring_cqe_seen(&ring_, cqe);
    if (!more) armed_ = false;  // the kernel ended the multishot poll
    if (res < 0 && res != -ECANCELED)
      throw Error(std::string("io_uring poll: ") + std::strerror(-res));
  }

  void arm() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) throw Error("io_uring: no submission slot");
    io_uring_prep_poll_multishot(sqe, efd_.get(), POLLIN);
    const int ret = io_uring_submit(&ring_);
    if (ret < 0) throw Error(std::string("io_uring_submit: ") + std::strerror(-ret));
    armed_ = true;
  }

  UniqueFd efd_;
  io_uring ring_{};
  bool armed_ = false;
};

}  // namespace

std::unique_ptr<Waiter> make_uring_poll_waiter() { return std::make_unique<UringPollWaiter>(); }

}  // namespace irqbridge::detail
