#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "irqbridge/sys/error.hpp"
#include "waiter_impl.hpp"

namespace irqbridge {

namespace detail {

int make_eventfd(bool nonblocking) {
  const int fd = ::eventfd(0, EFD_CLOEXEC | (nonblocking ? EFD_NONBLOCK : 0));
  if (fd < 0) throw_errno("eventfd");
  return fd;
}

std::chrono::nanoseconds time_left(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? std::chrono::nanoseconds(0) : left;
}

IoUring::IoUring(int eventfd) : eventfd_(eventfd) {
  setup_.flags = choose_uring_setup(
      [this](std::uint32_t flags) { return io_uring_queue_init(4, &ring_, flags); },
      parse_uring_setup(std::getenv("IRQBRIDGE_URING_SETUP")));
  // Both optional: a kernel without them (before 5.18 for the ring fd)
  // runs the same operations on the plain fds.
  setup_.registered_ring_fd = io_uring_register_ring_fd(&ring_) == 1;
  setup_.fixed_eventfd = io_uring_register_files(&ring_, &eventfd_, 1) == 0;
}

IoUring::~IoUring() { io_uring_queue_exit(&ring_); }

io_uring_sqe* IoUring::sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) throw Error("io_uring: no submission slot");
  return sqe;
}

void IoUring::fixed(io_uring_sqe* sqe) const {
  if (setup_.fixed_eventfd) io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
}

io_uring_cqe* IoUring::submit_and_wait(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = time_left(deadline);
    if (left.count() == 0) return nullptr;
    __kernel_timespec ts{};
    ts.tv_sec = left.count() / 1000000000;
    ts.tv_nsec = left.count() % 1000000000;
    io_uring_cqe* cqe = nullptr;
    // One io_uring_enter submits the queued entries and waits (the
    // kernel's EXT_ARG timeout, 5.11+; liburing falls back otherwise).
    const int ret = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    if (ret == -ETIME) return nullptr;
    if (ret == -EINTR) continue;
    if (ret < 0) throw_errno("io_uring_submit_and_wait", -ret);
    if (cqe != nullptr) return cqe;
  }
}

io_uring_cqe* IoUring::peek() {
  io_uring_cqe* cqe = nullptr;
  return io_uring_peek_cqe(&ring_, &cqe) == 0 ? cqe : nullptr;
}

void IoUring::seen(io_uring_cqe* cqe) { io_uring_cqe_seen(&ring_, cqe); }

std::optional<std::uint64_t> read_counter(int fd) {
  std::uint64_t value = 0;
  const ssize_t n = ::read(fd, &value, sizeof(value));
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return std::nullopt;
    throw_errno("reading the eventfd");
  }
  if (n != sizeof(value))
    throw Error("reading the eventfd returned " + std::to_string(n) + " bytes, not 8");
  return value;
}

}  // namespace detail

UringSetup probe_uring_setup() {
  const int fd = detail::make_eventfd(true);
  try {
    const detail::IoUring ring(fd);
    UringSetup s = ring.setup();
    ::close(fd);
    return s;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

std::unique_ptr<Waiter> make_waiter(ReaderVariant variant) {
  switch (variant) {
    case ReaderVariant::uring_read:
      return detail::make_uring_read_waiter();
    case ReaderVariant::read:
      return detail::make_read_waiter();
    case ReaderVariant::epoll:
      return detail::make_epoll_waiter();
    case ReaderVariant::uring_poll:
      return detail::make_uring_poll_waiter();
    case ReaderVariant::device_read:
      return detail::make_device_read_waiter();
    case ReaderVariant::uring_mshot:
      return detail::make_uring_mshot_waiter();
  }
  throw Error("unknown reader variant");
}

}  // namespace irqbridge
