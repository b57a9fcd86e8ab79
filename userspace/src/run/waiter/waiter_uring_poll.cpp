// One io_uring multishot poll (armed once, re-armed only when the kernel
// ends it), then read(2) of the counter: a wait and a read per wake-up, no
// submission per wake-up.
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/unique_fd.hpp"
#include "waiter_impl.hpp"

namespace irqbridge::detail {

namespace {

class UringPollWaiter final : public Waiter {
 public:
  UringPollWaiter() : efd_(make_eventfd(true)) {}

  [[nodiscard]] int eventfd() const override { return efd_.get(); }

  std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (!armed_) {
        io_uring_sqe* sqe = ring_.sqe();
        io_uring_prep_poll_multishot(sqe, ring_.target(), POLLIN);
        ring_.fixed(sqe);
        armed_ = true;
      }
      io_uring_cqe* cqe = ring_.submit_and_wait(deadline);
      if (cqe == nullptr) return std::nullopt;
      // Every signal posts a completion: take all that are there, then read
      // the counter once. A completion left over from a value already read
      // makes the read find nothing (EAGAIN): wait on.
      do {
        consume(cqe);
      } while ((cqe = ring_.peek()) != nullptr);
      if (auto v = read_counter(efd_.get())) return v;
    }
  }

 private:
  void consume(io_uring_cqe* cqe) {
    const int res = cqe->res;
    const bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
    ring_.seen(cqe);
    if (!more) armed_ = false;  // the kernel ended the multishot poll
    if (res < 0 && res != -ECANCELED)
      throw Error(std::string("io_uring poll: ") + std::strerror(-res));
  }

  UniqueFd efd_;
  IoUring ring_{efd_.get()};
  bool armed_ = false;
};

}  // namespace

std::unique_ptr<Waiter> make_uring_poll_waiter() { return std::make_unique<UringPollWaiter>(); }

}  // namespace irqbridge::detail
