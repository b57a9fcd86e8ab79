// poll(2) on the session's own file, then read(2) of it: the pended-IRP
// (inverted call) pattern, completed by the bottom half through the
// module's wait queue instead of an eventfd. Two syscalls per wake-up,
// like the epoll variant. The module still signals the eventfd it needs
// attached; nobody reads it (its counter only grows).
#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/unique_fd.hpp"
#include "waiter_impl.hpp"

namespace irqbridge::detail {

namespace {

class DeviceReadWaiter final : public Waiter {
 public:
  DeviceReadWaiter() : efd_(make_eventfd(true)) {}

  [[nodiscard]] int eventfd() const override { return efd_.get(); }

  void attach_device(int fd) override {
    dev_.reset(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    if (!dev_) throw Error(std::string("dup of the device: ") + std::strerror(errno));
  }

  std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout) override {
    if (!dev_) throw Error("device-read: no device attached");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(time_left(deadline));
      pollfd pfd{dev_.get(), POLLIN, 0};
      const int n = ::poll(&pfd, 1, static_cast<int>(left.count()));
      if (n < 0 && errno != EINTR) throw Error(std::string("poll: ") + std::strerror(errno));
      // Readable: the only reader, so this read(2) does not block.
      if (n > 0) {
        if (auto v = read_counter(dev_.get())) return v;
      }
      if (time_left(deadline).count() == 0) return std::nullopt;
    }
  }

 private:
  UniqueFd efd_;
  UniqueFd dev_;
};

}  // namespace

std::unique_ptr<Waiter> make_device_read_waiter() { return std::make_unique<DeviceReadWaiter>(); }

}  // namespace irqbridge::detail
