// A blocking read(2) of a blocking eventfd: exactly one syscall per
// wake-up. The timeout must not cost a syscall per wake-up either, so a
// watchdog thread checks progress every timeout/4 and interrupts a read
// that made none for a whole timeout with SIGUSR1 (a handler without
// SA_RESTART, so read(2) returns EINTR).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "irqbridge/error.hpp"
#include "irqbridge/unique_fd.hpp"
#include "waiter_impl.hpp"

namespace irqbridge::detail {

namespace {

void on_sigusr1(int /*signo*/) {}

void install_handler_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = on_sigusr1;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the blocked read returns EINTR
    if (::sigaction(SIGUSR1, &sa, nullptr) != 0)
      throw Error(std::string("sigaction: ") + std::strerror(errno));
  });
}

class ReadWaiter final : public Waiter {
 public:
  ReadWaiter() : efd_(make_eventfd(false)), reader_(::pthread_self()) {
    install_handler_once();
    watchdog_ = std::jthread([this](const std::stop_token& stop) { watch(stop); });
  }
  ReadWaiter(const ReadWaiter&) = delete;
  ReadWaiter& operator=(const ReadWaiter&) = delete;
  ReadWaiter(ReadWaiter&&) = delete;
  ReadWaiter& operator=(ReadWaiter&&) = delete;
  ~ReadWaiter() override {
    watchdog_.request_stop();
    cv_.notify_all();
  }

  [[nodiscard]] int eventfd() const override { return efd_.get(); }

  std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    timeout_ns_.store(std::chrono::nanoseconds(timeout).count(), std::memory_order_relaxed);
    for (;;) {
      in_read_.store(true, std::memory_order_release);
      auto value = read_counter(efd_.get());  // blocks; nullopt on EINTR
      in_read_.store(false, std::memory_order_release);
      if (value) {
        progress_.fetch_add(1, std::memory_order_release);
        return value;
      }
      if (time_left(deadline).count() == 0) return std::nullopt;
    }
  }

 private:
  // Interrupts the reader when it sat in read() with no progress for a
  // whole timeout. A signal that lands just outside read() is harmless:
  // the handler does nothing and the next read blocks again.
  void watch(const std::stop_token& stop) {
    std::uint64_t seen = progress_.load(std::memory_order_acquire);
    auto since = std::chrono::steady_clock::now();
    std::mutex m;
    std::unique_lock lock(m);
    while (!stop.stop_requested()) {
      const auto timeout = std::chrono::nanoseconds(timeout_ns_.load(std::memory_order_relaxed));
      cv_.wait_for(lock, stop, timeout / 4, [] { return false; });
      const std::uint64_t now_seen = progress_.load(std::memory_order_acquire);
      const auto now = std::chrono::steady_clock::now();
      if (now_seen != seen || !in_read_.load(std::memory_order_acquire)) {
        seen = now_seen;
        since = now;
      } else if (now - since >= timeout) {
        ::pthread_kill(reader_, SIGUSR1);
        since = now;
      }
    }
  }

  UniqueFd efd_;
  pthread_t reader_;
  std::atomic<std::uint64_t> progress_{0};
  std::atomic<bool> in_read_{false};
  std::atomic<std::int64_t> timeout_ns_{std::chrono::nanoseconds(std::chrono::seconds(2)).count()};
  std::condition_variable_any cv_;
  std::jthread watchdog_;  // last: stopped and joined first
};

}  // namespace

std::unique_ptr<Waiter> make_read_waiter() { return std::make_unique<ReadWaiter>(); }

}  // namespace irqbridge::detail
