// A blocking read(2) of a blocking eventfd: exactly one syscall per
// wake-up. The timeout must not cost a syscall per wake-up either, so a
// watchdog thread interrupts a read that outlived its deadline with SIGUSR1
// (a handler without SA_RESTART, so read(2) returns EINTR).
//
// The watchdog is not free, and is built to cost the measurement little and
// to be counted: a 64 KiB stack (not glibc's 8 MiB, locked whole under
// mlockall), SCHED_OTHER whatever the reader's policy, kept off the
// reader's CPU when the process has another one, waking every quarter of
// the timeout (at most every 500 ms; >= 2 s timeouts in a run), and its CPU
// time is reported by helper_cpu_ns(), which run_once adds to the reader's.
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>

#include "irqbridge/run/reader_thread.hpp"
#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/reader_setup.hpp"
#include "irqbridge/sys/unique_fd.hpp"
#include "waiter_impl.hpp"

namespace irqbridge::detail {

namespace {

constexpr std::size_t kWatchdogStack = std::size_t{64} * 1024;

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

// The watchdog's own scheduling: a normal task, off the reader's CPU.
void become_background(int reader_cpu) {
  sched_param sp{};
  ::pthread_setschedparam(::pthread_self(), SCHED_OTHER, &sp);
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : process_cpus())
    if (c != reader_cpu) CPU_SET(static_cast<std::size_t>(c), &set);
  if (CPU_COUNT(&set) > 0) ::pthread_setaffinity_np(::pthread_self(), sizeof(set), &set);
}

class ReadWaiter final : public Waiter {
 public:
  ReadWaiter() : efd_(make_eventfd(false)), reader_(::pthread_self()) {
    install_handler_once();
    const int reader_cpu = ::sched_getcpu();
    watchdog_ = ReaderThread(
        [this, reader_cpu] {
          become_background(reader_cpu);
          watch();
        },
        kWatchdogStack);
  }
  ReadWaiter(const ReadWaiter&) = delete;
  ReadWaiter& operator=(const ReadWaiter&) = delete;
  ReadWaiter(ReadWaiter&&) = delete;
  ReadWaiter& operator=(ReadWaiter&&) = delete;
  ~ReadWaiter() override {
    {
      const std::lock_guard lock(watch_mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    watchdog_.join();
  }

  [[nodiscard]] int eventfd() const override { return efd_.get(); }

  std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    deadline_ns_.store(deadline.time_since_epoch().count(), std::memory_order_relaxed);
    if (timeout != interval_base_) {
      // A new timeout: the watchdog's pace follows it (no syscall when it
      // stays the same, as in a run).
      interval_base_ = timeout;
      interval_ms_.store(std::clamp<std::int64_t>(timeout.count() / 4, 1, 500),
                         std::memory_order_relaxed);
      cv_.notify_all();
    }
    for (;;) {
      in_read_.store(true, std::memory_order_release);
      auto value = read_counter(efd_.get());  // blocks; nullopt on EINTR
      in_read_.store(false, std::memory_order_release);
      if (value) return value;
      if (time_left(deadline).count() == 0) return std::nullopt;
    }
  }

  [[nodiscard]] std::uint64_t helper_cpu_ns() const override {
    clockid_t clock{};
    timespec ts{};
    if (::pthread_getcpuclockid(watchdog_.native_handle(), &clock) != 0 ||
        ::clock_gettime(clock, &ts) != 0)
      return 0;
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL +
           static_cast<std::uint64_t>(ts.tv_nsec);
  }

 private:
  // Interrupts the reader while it sits in read() past its deadline. A
  // signal that lands just outside read() is harmless: the handler does
  // nothing, and the next look sends another.
  void watch() {
    std::unique_lock lock(watch_mutex_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_.load(std::memory_order_relaxed)));
      if (stop_ || !in_read_.load(std::memory_order_acquire)) continue;
      const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
      if (now >= deadline_ns_.load(std::memory_order_relaxed)) ::pthread_kill(reader_, SIGUSR1);
    }
  }

  UniqueFd efd_;
  pthread_t reader_;
  std::atomic<bool> in_read_{false};
  std::atomic<std::chrono::steady_clock::rep> deadline_ns_{0};
  std::atomic<std::int64_t> interval_ms_{500};
  std::chrono::milliseconds interval_base_{-1};  // the reader's only
  std::mutex watch_mutex_;                       // the watchdog's sleep and stop_
  std::condition_variable cv_;
  bool stop_ = false;      // under watch_mutex_
  ReaderThread watchdog_;  // last: started after everything it uses
};

}  // namespace

std::unique_ptr<Waiter> make_read_waiter() { return std::make_unique<ReadWaiter>(); }

}  // namespace irqbridge::detail
