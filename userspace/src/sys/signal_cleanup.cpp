#include "irqbridge/sys/signal_cleanup.hpp"

#include <signal.h>
#include <sys/ioctl.h>
#include <uapi/irqbridge.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {

namespace {

// Enough for a device and a channel per CPU of a large machine, a load
// child per CPU, and a few temporary files.
constexpr std::size_t kSlots = 1024;
constexpr std::size_t kPathSlots = 8;
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

std::array<std::atomic<int>, kSlots> g_fds;     // -1: free
std::array<std::atomic<pid_t>, kSlots> g_pids;  // 0: free
std::array<std::atomic<bool>, kPathSlots> g_path_used;
std::array<std::array<char, UnlinkOnSignal::kPathMax>, kPathSlots> g_paths;
std::mutex g_claim;  // serialises claiming slots (not taken by the handler)

static_assert(std::atomic<int>::is_always_lock_free && std::atomic<pid_t>::is_always_lock_free &&
              std::atomic<bool>::is_always_lock_free);

struct SlotsInit {
  SlotsInit() noexcept {
    for (auto& f : g_fds) f.store(-1);
    for (auto& p : g_pids) p.store(0);
    for (auto& u : g_path_used) u.store(false);
  }
} g_init;

void on_signal(int signo) {
  const int saved = errno;
  for (auto& f : g_fds) {
    const int fd = f.load(std::memory_order_acquire);
    if (fd >= 0) ::ioctl(fd, IRQBRIDGE_IOC_STOP, 0);
  }
  for (auto& p : g_pids) {
    const pid_t pid = p.load(std::memory_order_acquire);
    if (pid > 0) ::kill(pid, SIGKILL);
  }
  for (std::size_t i = 0; i < kPathSlots; i++)
    if (g_path_used[i].load(std::memory_order_acquire)) ::unlink(g_paths[i].data());
  errno = saved;
  // Die of the signal itself: the default action, re-raised.
  ::signal(signo, SIG_DFL);
  ::raise(signo);
}

template <typename T>
std::size_t claim(std::array<std::atomic<T>, kSlots>& slots, T free_value, T value) {
  const std::lock_guard lock(g_claim);
  for (std::size_t i = 0; i < kSlots; i++) {
    if (slots[i].load(std::memory_order_relaxed) == free_value) {
      slots[i].store(value, std::memory_order_release);
      return i;
    }
  }
  return kNone;  // full: not fatal, the kernel's release still stops it
}

}  // namespace

void install_signal_cleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&sa.sa_mask, s);
    sa.sa_flags = SA_RESTART;
    for (int s : {SIGINT, SIGTERM, SIGHUP})
      if (::sigaction(s, &sa, nullptr) != 0)
        throw Error(std::string("sigaction: ") + std::strerror(errno));
  });
}

StopOnSignal::StopOnSignal(int fd) : slot_(claim(g_fds, -1, fd)) {}
StopOnSignal::~StopOnSignal() {
  if (slot_ != kNone) g_fds[slot_].store(-1, std::memory_order_release);
}

KillOnSignal::KillOnSignal(pid_t pid) : slot_(claim(g_pids, pid_t{0}, pid)) {}
KillOnSignal::~KillOnSignal() {
  if (slot_ != kNone) g_pids[slot_].store(0, std::memory_order_release);
}

UnlinkOnSignal::UnlinkOnSignal(const std::string& path) : slot_(kNone) {
  if (path.size() >= kPathMax) return;
  const std::lock_guard lock(g_claim);
  for (std::size_t i = 0; i < kPathSlots; i++) {
    if (!g_path_used[i].load(std::memory_order_relaxed)) {
      std::memcpy(g_paths[i].data(), path.c_str(), path.size() + 1);
      g_path_used[i].store(true, std::memory_order_release);
      slot_ = i;
      return;
    }
  }
}
UnlinkOnSignal::~UnlinkOnSignal() {
  if (slot_ != kNone) g_path_used[slot_].store(false, std::memory_order_release);
}

}  // namespace irqbridge
