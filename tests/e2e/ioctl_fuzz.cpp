// A seeded, reproducible random walk over /dev/irqbridge: valid and invalid
// ioctls, bad pointers, start/stop, attach/detach, mmap/munmap, open/close.
// Every call must fail only with an errno its contract allows, and every
// stopped run must have counted exactly what it fired. The kernel log is
// judged on the host (no BUG/WARNING/KASAN/lockdep report allowed).
//
//   ioctl_fuzz [--seed N] [--calls N]
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <uapi/irqbridge.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "irqbridge/mapping.hpp"
#include "irqbridge/unique_fd.hpp"

namespace {

using Fd = irqbridge::UniqueFd;
using irqbridge::Mapping;

struct Fuzzer {
  std::mt19937_64 rng;
  Fd dev;
  Fd efd;
  Fd null_fd{::open("/dev/null", O_RDONLY | O_CLOEXEC)};
  std::vector<Mapping> maps;
  irqbridge_info info{};
  bool started = false;
  std::map<std::string, std::map<int, uint64_t>> outcomes;  // call → errno → count
  uint64_t calls = 0;
  uint64_t failures = 0;
  uint64_t exact_runs = 0;

  explicit Fuzzer(uint64_t seed) : rng(seed) {}

  uint64_t pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); }
  bool coin(unsigned percent) { return pick(100) < percent; }

  void check(const char* what, int err, std::initializer_list<int> allowed) {
    calls++;
    outcomes[what][err]++;
    for (int a : allowed)
      if (a == err) return;
    failures++;
    std::printf("fuzz: FAIL %s -> %s (errno %d) not allowed (call %llu)\n", what,
                err ? std::strerror(err) : "success", err, static_cast<unsigned long long>(calls));
  }

  // A user pointer: usually good, sometimes NULL, unmapped, or kernel space.
  void* pointer(void* good) {
    switch (pick(10)) {
      case 0:
        return nullptr;
      case 1:
        return reinterpret_cast<void*>(8);
      case 2:
        return reinterpret_cast<void*>(0xffffffff81000000ULL);
      default:
        return good;
    }
  }

  void open_device() {
    dev.reset(::open("/dev/irqbridge", O_RDWR | O_CLOEXEC));
    check("open", dev ? 0 : errno, {0});
    started = false;
    if (dev) {
      int err = ::ioctl(dev.get(), IRQBRIDGE_IOC_GET_INFO, &info) ? errno : 0;
      check("get_info", err, {0});
    }
  }

  void close_device() {
    maps.clear();  // mappings pin the file; drop them with it
    dev.reset();
    started = false;
  }

  // STOP, then fired == counted must hold.
  void stop_and_verify() {
    int err = ::ioctl(dev.get(), IRQBRIDGE_IOC_STOP, 0) ? errno : 0;
    check("stop", err, {0});
    irqbridge_stats st{};
    err = ::ioctl(dev.get(), IRQBRIDGE_IOC_GET_STATS, &st) ? errno : 0;
    check("get_stats", err, {0});
    if (started) {
      if (st.fired != st.counted || st.running) {
        failures++;
        std::printf("fuzz: FAIL after stop fired %llu counted %llu running %u\n",
                    static_cast<unsigned long long>(st.fired),
                    static_cast<unsigned long long>(st.counted), st.running);
      } else {
        exact_runs++;
      }
    }
    started = false;
  }

  irqbridge_config random_config() {
    irqbridge_config c{};
    c.size = sizeof(c);
    c.mode = static_cast<uint32_t>(1 + pick(IRQBRIDGE_MODE_MAX));
    c.source = static_cast<uint32_t>(pick(2));  // edu may be absent; timer and irqchip always
    c.period_ns = 50000 + pick(2000000);
    c.events = 1 + pick(2000);
    if (coin(10)) c.work_ns = static_cast<uint32_t>(pick(20000));
    if (coin(10)) c.sleep_us = static_cast<uint32_t>(pick(200));
    if (coin(15)) {  // break one field
      switch (pick(8)) {
        case 0:
          c.size = static_cast<uint32_t>(pick(128));
          break;
        case 1:
          c.mode = static_cast<uint32_t>(pick(1U << 31));
          break;
        case 2:
          c.period_ns = pick(IRQBRIDGE_PERIOD_MIN_NS);
          break;
        case 3:
          c.period_ns = IRQBRIDGE_PERIOD_MAX_NS + 1 + pick(1000);
          break;
        case 4:
          c.events = coin(50) ? 0 : IRQBRIDGE_EVENTS_MAX + 1;
          break;
        case 5:
          c.flags = 1U << pick(32);
          break;
        case 6:
          c.reserved = 1 + static_cast<uint32_t>(pick(100));
          break;
        default:
          c.source = 3 + static_cast<uint32_t>(pick(100));
          break;
      }
    }
    return c;
  }

  void step() {
    if (!dev) {
      open_device();
      return;
    }
    switch (pick(16)) {
      case 0: {  // a second open is always refused
        Fd second(::open("/dev/irqbridge", O_RDWR | O_CLOEXEC));
        check("second_open", second ? 0 : errno, {EBUSY});
        break;
      }
      case 1: {
        irqbridge_info i;
        std::memset(&i, 0xcc, sizeof(i));
        int err = ::ioctl(dev.get(), IRQBRIDGE_IOC_GET_INFO, pointer(&i)) ? errno : 0;
        check("get_info", err, {0, EFAULT});
        break;
      }
      case 2: {
        if (!efd || coin(20)) efd.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        int32_t fd;
        switch (pick(5)) {
          case 0:
            fd = -1;
            break;
          case 1:
            fd = null_fd.get();
            break;
          case 2:
            fd = static_cast<int32_t>(pick(4096));
            break;
          default:
            fd = efd.get();
            break;
        }
        int err = ::ioctl(dev.get(), IRQBRIDGE_IOC_SET_EVENTFD, pointer(&fd)) ? errno : 0;
        check("set_eventfd", err, {0, EFAULT, EBADF, EINVAL, EBUSY});
        break;
      }
      case 3:
      case 4: {
        irqbridge_config c = random_config();
        int err = ::ioctl(dev.get(), IRQBRIDGE_IOC_CONFIGURE, pointer(&c)) ? errno : 0;
        check("configure", err, {0, EFAULT, EINVAL, EOPNOTSUPP, ENODEV, EBUSY});
        break;
      }
      case 5:
      case 6: {
        int err = ::ioctl(dev.get(), IRQBRIDGE_IOC_START, 0) ? errno : 0;
        check("start", err, {0, EINVAL, ENOTCONN, EBUSY, ENODEV});
        if (err == 0) started = true;
        break;
      }
      case 7:
        stop_and_verify();
        break;
      case 8: {
        irqbridge_stats st;
        irqbridge_cost cost;
        int err = coin(50)
                      ? (::ioctl(dev.get(), IRQBRIDGE_IOC_GET_STATS, pointer(&st)) ? errno : 0)
                      : (::ioctl(dev.get(), IRQBRIDGE_IOC_GET_COST, pointer(&cost)) ? errno : 0);
        check("get_stats", err, {0, EFAULT});
        break;
      }
      case 9: {  // random command numbers, random argument
        unsigned long cmd = coin(50) ? _IOC(pick(4), IRQBRIDGE_IOC_MAGIC, 7 + pick(249), pick(256))
                                     : static_cast<unsigned long>(pick(1ULL << 32));
        uint64_t buf[64] = {};
        int err = ::ioctl(dev.get(), cmd, pointer(buf)) ? errno : 0;
        // Only the seven real commands may succeed; a random number can hit
        // one of them (then any of their errnos), otherwise ENOTTY.
        check("random_ioctl", err,
              {ENOTTY, 0, EFAULT, EINVAL, EBADF, EBUSY, ENOTCONN, EOPNOTSUPP, ENODEV});
        if (err == 0 && cmd == IRQBRIDGE_IOC_START) started = true;
        break;
      }
      case 10: {
        size_t len = coin(70) ? info.ring_bytes : 4096 * (1 + pick(8));
        off_t off = coin(85) ? 0 : static_cast<off_t>(4096 * (1 + pick(4)));
        int prot = coin(90) ? PROT_READ | PROT_WRITE : PROT_READ | PROT_EXEC;
        void* a = ::mmap(nullptr, len, prot, MAP_SHARED, dev.get(), off);
        check("mmap", a == MAP_FAILED ? errno : 0, {0, EINVAL, EPERM});
        if (a != MAP_FAILED) {
          maps.emplace_back(a, len);
          // Scribble over the reader-owned tail: the kernel must not care.
          if (coin(50)) static_cast<irqbridge_ring_header*>(a)->tail = pick(UINT64_MAX);
        }
        break;
      }
      case 11:
        if (!maps.empty()) maps.erase(maps.begin() + static_cast<long>(pick(maps.size())));
        break;
      case 12:
        if (efd) {  // drain what was signalled
          uint64_t v;
          ssize_t n = ::read(efd.get(), &v, sizeof(v));
          check("read_eventfd", n == sizeof(v) ? 0 : errno, {0, EAGAIN});
        }
        break;
      case 13:
        if (coin(30)) efd.reset();  // close the eventfd while maybe attached
        break;
      case 14:
        if (coin(10)) {
          if (started && coin(50)) stop_and_verify();
          close_device();
        }
        break;
      default:
        ::usleep(static_cast<useconds_t>(pick(300)));
        break;
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1;
  uint64_t calls = 100000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string opt = argv[i];
    if (opt == "--seed")
      seed = std::strtoull(argv[i + 1], nullptr, 0);
    else if (opt == "--calls")
      calls = std::strtoull(argv[i + 1], nullptr, 0);
    else {
      std::fprintf(stderr, "usage: ioctl_fuzz [--seed N] [--calls N]\n");
      return 2;
    }
  }
  Fuzzer f(seed);
  while (f.calls < calls) f.step();
  if (f.dev) f.stop_and_verify();
  f.close_device();

  std::printf("fuzz: seed %llu, %llu calls, %llu stopped runs counted exactly\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(f.calls),
              static_cast<unsigned long long>(f.exact_runs));
  for (const auto& [what, errs] : f.outcomes) {
    std::printf("fuzz:   %-13s", what.c_str());
    for (const auto& [err, n] : errs)
      std::printf(" %s=%llu", err ? strerrorname_np(err) : "ok",
                  static_cast<unsigned long long>(n));
    std::printf("\n");
  }
  std::printf("fuzz: %llu failures\n", static_cast<unsigned long long>(f.failures));
  return f.failures == 0 ? 0 : 1;
}
