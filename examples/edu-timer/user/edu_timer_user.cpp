// edu-timer-user: the user-mode half of the worked port (docs/porting.md).
//
// The Windows program: CreateEvent, DeviceIoControl(IOCTL_..._SET_EVENT,
// &hEvent), then WaitForSingleObject in a loop. Here: eventfd(), the
// driver's SET_EVENT ioctl with the eventfd's number, then poll() + read()
// in a loop; every read returns (and resets) the number of signals since
// the last one. At the end it prints the driver's counts beside its own.
//
//   edu-timer-user [--device PATH] [--ticks N] [--period-ms P]
//   edu-timer-user --check-errors [--device PATH]
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "uapi/edu_timer.h"

namespace {

// The HANDLE's CloseHandle, as RAII: a move-only owner of a descriptor.
class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Every failed call throws this, with the call's name and errno's text.
[[noreturn]] void fail(std::string_view what) {
  throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

UniqueFd open_device(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) fail("open " + path);
  return fd;
}

// CreateEvent: a counter the driver adds to and a read resets.
UniqueFd create_event() {
  UniqueFd fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!fd) fail("eventfd");
  return fd;
}

// DeviceIoControl: 0 or the errno of the failed call.
template <typename Arg>
int ioctl_errno(const UniqueFd& dev, unsigned long cmd, Arg* arg) {
  return ::ioctl(dev.get(), cmd, arg) == 0 ? 0 : errno;
}

void set_event(const UniqueFd& dev, int event_fd) {
  if (ioctl_errno(dev, EDU_TIMER_IOC_SET_EVENT, &event_fd) != 0) fail("SET_EVENT");
}

// WaitForSingleObject(hEvent, timeout): 0 on timeout, else the signals
// since the last read.
std::uint64_t wait_event(const UniqueFd& event, int timeout_ms) {
  pollfd pfd{.fd = event.get(), .events = POLLIN, .revents = 0};
  int ready = 0;
  do {
    ready = ::poll(&pfd, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) fail("poll");
  if (ready == 0) return 0;
  std::uint64_t value = 0;
  if (::read(event.get(), &value, sizeof(value)) != static_cast<ssize_t>(sizeof(value))) {
    if (errno == EAGAIN) return 0;
    fail("read eventfd");
  }
  return value;
}

const char* context_name(std::uint32_t ctx) {
  switch (ctx) {
    case 0:
      return "none";
    case EDU_TIMER_CTX_HARDIRQ:
      return "hardirq";
    case EDU_TIMER_CTX_SOFTIRQ:
      return "softirq";
    case EDU_TIMER_CTX_TASK:
      return "task";
    default:
      return "mixed";
  }
}

const char* mode_name(std::uint32_t mode) {
  switch (mode) {
    case EDU_TIMER_MODE_DPC:
      return "dpc";
    case EDU_TIMER_MODE_WORKITEM:
      return "workitem";
    case EDU_TIMER_MODE_PASSIVE:
      return "passive";
    default:
      return "unknown";
  }
}

int run(const std::string& path, std::uint32_t ticks, std::uint32_t period_ms) {
  const UniqueFd dev = open_device(path);
  const UniqueFd event = create_event();
  set_event(dev, event.get());

  edu_timer_start start{.ticks = ticks, .period_ms = period_ms};
  if (ioctl_errno(dev, EDU_TIMER_IOC_START, &start) != 0) fail("START");

  std::uint64_t total = 0;
  std::uint64_t reads = 0;
  while (total < ticks) {
    const std::uint64_t got = wait_event(event, 10000);
    if (got == 0) {
      std::fprintf(stderr, "edu-timer-user: no signal for 10 s after %llu of %u\n",
                   static_cast<unsigned long long>(total), ticks);
      break;
    }
    total += got;
    ++reads;
  }
  // A driver that raises more than it was asked to signals again within a
  // period or two: wait ten periods (at least 100 ms) before STOP.
  total +=
      wait_event(event, static_cast<int>(std::clamp<std::uint32_t>(period_ms * 10, 100, 10000)));
  if (ioctl_errno(dev, EDU_TIMER_IOC_STOP, static_cast<void*>(nullptr)) != 0) fail("STOP");
  // Whatever the driver signalled beyond the ticks is counted too.
  total += wait_event(event, 0);

  edu_timer_counts counts{};
  if (ioctl_errno(dev, EDU_TIMER_IOC_GET_COUNTS, &counts) != 0) fail("GET_COUNTS");
  std::printf(
      "edu-timer: mode=%s ticks=%u raised=%llu isr_runs=%llu isr_none=%llu "
      "deferred_runs=%llu signals=%llu eventfd_total=%llu reads=%llu "
      "isr_context=%s deferred_context=%s\n",
      mode_name(counts.mode), ticks, static_cast<unsigned long long>(counts.raised),
      static_cast<unsigned long long>(counts.isr_runs),
      static_cast<unsigned long long>(counts.isr_none),
      static_cast<unsigned long long>(counts.deferred_runs),
      static_cast<unsigned long long>(counts.signals), static_cast<unsigned long long>(total),
      static_cast<unsigned long long>(reads), context_name(counts.isr_context),
      context_name(counts.deferred_context));
  return 0;
}

// Each bad request gets its exact errno; prints one line per check.
int check_errors(const std::string& path) {
  int failed = 0;
  auto expect = [&failed](const char* name, int got, int want) {
    const bool ok = got == want;
    std::printf("edu-timer: check %s: %s (errno %d, want %d)\n", name, ok ? "PASS" : "FAIL", got,
                want);
    failed += ok ? 0 : 1;
  };
  const UniqueFd dev = open_device(path);
  {
    const UniqueFd second(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    expect("second_open_is_busy", second ? 0 : errno, EBUSY);
  }
  edu_timer_start start{.ticks = 1, .period_ms = 1};
  expect("start_without_event", ioctl_errno(dev, EDU_TIMER_IOC_START, &start), EINVAL);
  int bad_fd = -5;
  expect("event_bad_fd", ioctl_errno(dev, EDU_TIMER_IOC_SET_EVENT, &bad_fd), EBADF);
  int not_eventfd = dev.get();
  expect("event_not_an_eventfd", ioctl_errno(dev, EDU_TIMER_IOC_SET_EVENT, &not_eventfd), EINVAL);
  expect("event_bad_pointer", ioctl_errno(dev, EDU_TIMER_IOC_SET_EVENT, static_cast<int*>(nullptr)),
         EFAULT);

  const UniqueFd event = create_event();
  set_event(dev, event.get());
  std::array<edu_timer_start, 4> bad_starts{{{0, 1}, {1000001, 1}, {1, 0}, {1, 1001}}};
  for (auto& bad : bad_starts)
    expect("start_out_of_range", ioctl_errno(dev, EDU_TIMER_IOC_START, &bad), EINVAL);
  start = {.ticks = 1000, .period_ms = 1000};
  expect("start", ioctl_errno(dev, EDU_TIMER_IOC_START, &start), 0);
  expect("start_twice_is_busy", ioctl_errno(dev, EDU_TIMER_IOC_START, &start), EBUSY);
  expect("stop", ioctl_errno(dev, EDU_TIMER_IOC_STOP, static_cast<void*>(nullptr)), 0);
  expect("counts_bad_pointer",
         ioctl_errno(dev, EDU_TIMER_IOC_GET_COUNTS, static_cast<edu_timer_counts*>(nullptr)),
         EFAULT);
  expect("unknown_ioctl",
         ioctl_errno(dev, _IO(EDU_TIMER_IOC_MAGIC, 99), static_cast<void*>(nullptr)), ENOTTY);
  int drop = -1;
  expect("event_dropped", ioctl_errno(dev, EDU_TIMER_IOC_SET_EVENT, &drop), 0);
  expect("start_after_drop", ioctl_errno(dev, EDU_TIMER_IOC_START, &start), EINVAL);
  std::printf("edu-timer: checks %s\n", failed == 0 ? "passed" : "FAILED");
  return failed == 0 ? 0 : 1;
}

std::uint32_t parse_u32(std::string_view option, const char* value) {
  char* end = nullptr;
  errno = 0;
  const unsigned long v = std::strtoul(value, &end, 10);
  if (errno != 0 || end == value || *end != '\0' || v > UINT32_MAX)
    throw std::invalid_argument(std::string(option) + ": not a number: " + value);
  return static_cast<std::uint32_t>(v);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = "/dev/edu_timer0";
  std::uint32_t ticks = 100;
  std::uint32_t period_ms = 4;
  bool errors = false;
  try {
    const std::span<char*> args(argv + 1, static_cast<std::size_t>(argc - 1));
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string_view arg = args[i];
      if (arg == "--check-errors") {
        errors = true;
        continue;
      }
      if (i + 1 >= args.size()) throw std::invalid_argument(std::string(arg) + ": needs a value");
      const char* value = args[++i];
      if (arg == "--device")
        path = value;
      else if (arg == "--ticks")
        ticks = parse_u32(arg, value);
      else if (arg == "--period-ms")
        period_ms = parse_u32(arg, value);
      else
        throw std::invalid_argument("unknown option " + std::string(arg));
    }
    return errors ? check_errors(path) : run(path, ticks, period_ms);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edu-timer-user: %s\n", e.what());
    return 2;
  }
}
