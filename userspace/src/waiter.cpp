#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/error.hpp"
#include "waiter_impl.hpp"

namespace irqbridge {

namespace detail {

int make_eventfd(bool nonblocking) {
  const int fd = ::eventfd(0, EFD_CLOEXEC | (nonblocking ? EFD_NONBLOCK : 0));
  if (fd < 0) throw Error(std::string("eventfd: ") + std::strerror(errno));
  return fd;
}

std::chrono::nanoseconds time_left(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? std::chrono::nanoseconds(0) : left;
}

std::optional<std::uint64_t> read_counter(int fd) {
  std::uint64_t value = 0;
  const ssize_t n = ::read(fd, &value, sizeof(value));
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return std::nullopt;
    throw Error(std::string("reading the eventfd: ") + std::strerror(errno));
  }
  if (n != sizeof(value))
    throw Error("reading the eventfd returned " + std::to_string(n) + " bytes, not 8");
  return value;
}

}  // namespace detail

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
  }
  throw Error("unknown reader variant");
}

}  // namespace irqbridge
