// epoll_wait(2) for readiness, then read(2): two syscalls per wake-up, the
// classic event loop's way.
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/unique_fd.hpp"
#include "waiter_impl.hpp"

namespace irqbridge::detail {

namespace {

class EpollWaiter final : public Waiter {
 public:
  EpollWaiter() : efd_(make_eventfd(true)), epfd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (!epfd_) throw Error(std::string("epoll_create1: ") + std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = efd_.get();
    if (::epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, efd_.get(), &ev) != 0)
      throw Error(std::string("epoll_ctl: ") + std::strerror(errno));
  }

  [[nodiscard]] int eventfd() const override { return efd_.get(); }

  std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(time_left(deadline));
      epoll_event ev{};
      const int n = ::epoll_wait(epfd_.get(), &ev, 1, static_cast<int>(left.count()));
      if (n < 0 && errno != EINTR) throw Error(std::string("epoll_wait: ") + std::strerror(errno));
      if (n > 0) {
        if (auto v = read_counter(efd_.get())) return v;
      }
      if (time_left(deadline).count() == 0) return std::nullopt;
    }
  }

 private:
  UniqueFd efd_;
  UniqueFd epfd_;
};

}  // namespace

std::unique_ptr<Waiter> make_epoll_waiter() { return std::make_unique<EpollWaiter>(); }

}  // namespace irqbridge::detail
