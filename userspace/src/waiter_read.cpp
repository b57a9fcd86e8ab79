// A blocking read(2) of a blocking eventfd: exactly one syscall per
// wake-up. The timeout must not cost a syscall per wake-up either, so a
// watchdog thread interrupts a read that outlived its deadline with SIGUSR1
// (a handler without SA_RESTART, so read(2) returns EINTR).
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
    deadline_ns_.store(deadline.time_since_epoch().count(), std::memory_order_relaxed);
    for (;;) {
      in_read_.store(true, std::memory_order_release);
      auto value = read_counter(efd_.get());  // blocks; nullopt on EINTR
      in_read_.store(false, std::memory_order_release);
      if (value) return value;
      if (time_left(deadline).count() == 0) return std::nullopt;
    }
  }

 private:
  // Interrupts the reader while it sits in read() past its deadline. It
  // looks every 20 ms: cheap, and no cost at all to the reader's wake-ups.
  // A signal that lands just outside read() is harmless: the handler does
  // nothing, and the next look sends another.
  void watch(const std::stop_token& stop) {
    std::unique_lock lock(watch_mutex_);
    while (!stop.stop_requested()) {
      cv_.wait_for(lock, stop, std::chrono::milliseconds(20), [] { return false; });
      if (!in_read_.load(std::memory_order_acquire)) continue;
      const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
      if (now >= deadline_ns_.load(std::memory_order_relaxed)) ::pthread_kill(reader_, SIGUSR1);
    }
  }

  UniqueFd efd_;
  pthread_t reader_;
  std::atomic<bool> in_read_{false};
  std::atomic<std::chrono::steady_clock::rep> deadline_ns_{0};
  std::mutex watch_mutex_;  // only for cv_: the watchdog's sleep
  std::condition_variable_any cv_;
  std::jthread watchdog_;  // last: stopped and joined first
};

}  // namespace

std::unique_ptr<Waiter> make_read_waiter() { return std::make_unique<ReadWaiter>(); }

}  // namespace irqbridge::detail
