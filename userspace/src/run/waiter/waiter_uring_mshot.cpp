// io_uring IORING_OP_READ_MULTISHOT (6.7+) of the eventfd's counter into
// provided buffers: armed once, each signal posts a completion with the
// value read, no submission per wake-up (re-armed only when the kernel ends
// it). Issue 16 measures it against the single-shot read.
#include <sys/mman.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/mapping.hpp"
#include "irqbridge/sys/unique_fd.hpp"
#include "waiter_impl.hpp"

namespace irqbridge::detail {

namespace {

// <linux/io_uring.h> of 6.7; liburing 2.3's header predates it.
constexpr std::uint8_t kOpReadMultishot = 49;
constexpr unsigned kBuffers = 8;  // a power of two: the buffer ring's size
constexpr std::uint16_t kGroup = 0;

class UringMultishotWaiter final : public Waiter {
 public:
  UringMultishotWaiter() : efd_(make_eventfd(true)) {
    // The buffer ring must be page-aligned (the kernel pins its page).
    void* addr =
        ::mmap(nullptr, kRingBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (addr == MAP_FAILED) throw_errno("mmap of the io_uring buffer ring");
    ring_memory_ = Mapping(addr, kRingBytes);
    br_ = static_cast<io_uring_buf_ring*>(addr);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(addr);
    reg.ring_entries = kBuffers;
    reg.bgid = kGroup;
    const int ret = io_uring_register_buf_ring(ring_.raw(), &reg, 0);
    if (ret < 0) throw_errno("io_uring_register_buf_ring (Linux 5.19+)", -ret);
    io_uring_buf_ring_init(br_);
    for (unsigned i = 0; i < kBuffers; i++) give_back(static_cast<std::uint16_t>(i));
  }

  [[nodiscard]] int eventfd() const override { return efd_.get(); }

  std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (!armed_) {
        io_uring_sqe* sqe = ring_.sqe();
        io_uring_prep_rw(kOpReadMultishot, sqe, ring_.target(), nullptr, 0, 0);
        ring_.fixed(sqe);  // sets sqe->flags: BUFFER_SELECT goes on after it
        sqe->flags |= IOSQE_BUFFER_SELECT;
        sqe->buf_group = kGroup;
        armed_ = true;
      }
      io_uring_cqe* cqe = ring_.submit_and_wait(deadline);
      if (cqe == nullptr) return std::nullopt;
      // Each completion is one read of the counter: their values add up.
      std::uint64_t sum = 0;
      bool got = false;
      do {
        got |= consume(cqe, sum);
      } while ((cqe = ring_.peek()) != nullptr);
      if (got) return sum;
    }
  }

 private:
  static constexpr std::size_t kRingBytes = 4096;

  void give_back(std::uint16_t bid) {
    io_uring_buf_ring_add(br_, &values_[bid], sizeof(values_[bid]), bid,
                          io_uring_buf_ring_mask(kBuffers), 0);
    io_uring_buf_ring_advance(br_, 1);
  }

  // Adds the completion's value to sum; true if it carried one.
  bool consume(io_uring_cqe* cqe, std::uint64_t& sum) {
    const int res = cqe->res;
    const std::uint32_t flags = cqe->flags;
    ring_.seen(cqe);
    if ((flags & IORING_CQE_F_MORE) == 0) armed_ = false;  // ended: re-arm
    bool got = false;
    if ((flags & IORING_CQE_F_BUFFER) != 0) {
      const auto bid = static_cast<std::uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
      if (bid >= kBuffers) throw Error("io_uring multishot read: buffer id out of range");
      if (res == sizeof(std::uint64_t)) {
        sum += values_[bid];
        got = true;
      }
      give_back(bid);
    }
    if (res == -EINVAL)
      throw Error(
          "io_uring multishot read: the kernel has no IORING_OP_READ_MULTISHOT "
          "(Linux 6.7+)");
    // Out of buffers, interrupted, cancelled: the read ended, re-armed.
    if (res < 0 && res != -ENOBUFS && res != -EAGAIN && res != -EINTR && res != -ECANCELED)
      throw_errno("io_uring multishot read", -res);
    if (res > 0 && res != sizeof(std::uint64_t))
      throw Error("io_uring multishot read returned " + std::to_string(res) + " bytes, not 8");
    return got;
  }

  UniqueFd efd_;
  Mapping ring_memory_;
  io_uring_buf_ring* br_ = nullptr;               // in ring_memory_
  std::array<std::uint64_t, kBuffers> values_{};  // the provided buffers
  bool armed_ = false;
  // Last: destroyed first, so the kernel lets go of the armed read and
  // the buffer ring before their memory goes.
  IoUring ring_{efd_.get()};
};

}  // namespace

std::unique_ptr<Waiter> make_uring_mshot_waiter() {
  return std::make_unique<UringMultishotWaiter>();
}

}  // namespace irqbridge::detail
