// io_uring IORING_OP_READ of the eventfd's 8-byte counter: the default.
// The read stays queued across a timeout.
#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/unique_fd.hpp"
#include "waiter_impl.hpp"

namespace irqbridge::detail {

namespace {

class UringReadWaiter final : public Waiter {
 public:
  UringReadWaiter() : efd_(make_eventfd(true)) {}

  [[nodiscard]] int eventfd() const override { return efd_.get(); }

  std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (!read_queued_) {
        io_uring_sqe* sqe = ring_.sqe();
        io_uring_prep_read(sqe, ring_.target(), &buffer_, sizeof(buffer_), 0);
        ring_.fixed(sqe);
        read_queued_ = true;
      }
      io_uring_cqe* cqe = ring_.submit_and_wait(deadline);
      if (cqe == nullptr) return std::nullopt;
      const int res = cqe->res;
      ring_.seen(cqe);
      read_queued_ = false;
      if (res == -EAGAIN || res == -EINTR) continue;
      if (res < 0) throw Error(std::string("reading the eventfd: ") + std::strerror(-res));
      if (res != sizeof(buffer_))
        throw Error("reading the eventfd returned " + std::to_string(res) + " bytes, not 8");
      return buffer_;
    }
  }

 private:
  UniqueFd efd_;
  IoUring ring_{efd_.get()};  // its queued read points at buffer_: neither moves
  bool read_queued_ = false;
  std::uint64_t buffer_ = 0;
};

}  // namespace

std::unique_ptr<Waiter> make_uring_read_waiter() { return std::make_unique<UringReadWaiter>(); }

}  // namespace irqbridge::detail
