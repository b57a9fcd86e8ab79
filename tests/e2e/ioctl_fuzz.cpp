// A seeded, reproducible fuzzer of /dev/irqbridge over the whole space the
// ABI accepts: every source (timer, irqchip, edu), every mode, periods from
// 10 us to 1 s, 1 to 1e8 events, busy work up to 1 ms (work/period ratios far
// above 1), sleep, the record flag, channels, mmap/munmap, bad pointers.
//
// Phase 1 (sequential, --calls): one thread, a model of every session.
// Every call must end with exactly the errno the model predicts: a config
// with one deliberately broken field expects that field's errno (never
// success), START expects EINVAL/ENOTCONN/EBUSY from the session's state,
// and every STOP of a run must leave raised == fired == counted.
//
// Phase 2 (race, --race-calls): --threads threads share the sessions and
// race START, STOP, close, SET_EVENTFD, CONFIGURE, NEW_CHANNEL, mmap and
// munmap against each other. A broken config still expects its exact errno;
// the rest may meet any state the others left (the errno must be one the
// call documents). A STOP taken with the session to itself must count
// exactly.
//
// Both phases run against a thread that takes QEMU's edu PCI device away
// and brings it back (sysfs remove + rescan, or driver unbind + bind) until
// --edu-cycles cycles are done, and, with --hotplug, a thread that takes
// CPUs other than 0 offline and back. The kernel log is judged on the host.
//
//   ioctl_fuzz [--seed N] [--calls N] [--race-calls N] [--threads N]
//              [--edu-cycles N] [--hotplug 0|1] [--max-seconds N] [--json FILE]
//
// --json writes the summary printed at the end as one JSON object (what was
// asked, what was done, every call's errno counts, the config space drawn,
// the failures): tests/e2e/fuzz_artifact.py adds the provenance.
#include <dirent.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <uapi/irqbridge.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "irqbridge/sys/mapping.hpp"
#include "irqbridge/sys/unique_fd.hpp"

namespace {

using Fd = irqbridge::UniqueFd;
using irqbridge::Mapping;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kModeThreaded = IRQBRIDGE_MODE_THREADED;

// Modes whose signalling stage runs in task context (sleep allowed).
bool mode_may_sleep(uint32_t mode) {
  switch (mode) {
    case IRQBRIDGE_MODE_WORKQUEUE:
    case IRQBRIDGE_MODE_WQ_HIGHPRI:
    case IRQBRIDGE_MODE_WQ_UNBOUND:
    case IRQBRIDGE_MODE_THREADED:
    case IRQBRIDGE_MODE_DPC_WORKITEM:
      return true;
    default:
      return false;
  }
}

// Shared counters and the verdict, for every thread.
struct Verdict {
  std::mutex mu;
  std::map<std::string, std::map<int, uint64_t>> outcomes;  // call → errno → count
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> exact_runs{0};
  std::atomic<uint64_t> removed_runs{0};  // ended early: the device went away
  std::atomic<uint64_t> broken_configs{0};
  std::atomic<uint64_t> edu_cycles{0};
  std::atomic<uint64_t> cpu_cycles{0};
  std::map<std::string, uint64_t> space;  // what the configs covered

  void record(const char* what, int err) {
    calls++;
    std::lock_guard lock(mu);
    outcomes[what][err]++;
  }
  void fail(const char* fmt, const char* what, int err, const char* detail) {
    failures++;
    std::printf(fmt, what, err ? strerrorname_np(err) : "success", detail);
    std::fflush(stdout);
  }
  // Exactly one errno allowed.
  void expect(const char* what, int err, int want, const char* detail = "") {
    record(what, err);
    if (err != want) {
      char buf[160];
      std::snprintf(buf, sizeof(buf), "%s (expected %s)", detail,
                    want ? strerrorname_np(want) : "success");
      fail("fuzz: FAIL %s -> %s %s\n", what, err, buf);
    }
  }
  // Any of a set: for calls whose outcome depends on what other threads did.
  void allow(const char* what, int err, std::initializer_list<int> allowed,
             const char* detail = "") {
    record(what, err);
    for (int a : allowed)
      if (a == err) return;
    fail("fuzz: FAIL %s -> %s not allowed %s\n", what, err, detail);
  }
  void cover(const std::string& key) {
    std::lock_guard lock(mu);
    space[key]++;
  }
};

// The sources that raise an interrupt (a handler thread can run on them).
bool source_has_irq(uint32_t source) {
  return source == IRQBRIDGE_SOURCE_IRQCHIP || source == IRQBRIDGE_SOURCE_EDU;
}

// The ABI's view of one config: what CONFIGURE must answer (0, -EINVAL,
// -EOPNOTSUPP) before it looks at the device or the session's state.
int config_errno(const irqbridge_config& c, uint32_t modes) {
  if (c.size != sizeof(c) || (c.flags & ~IRQBRIDGE_CONFIG_FLAGS) || c.reserved || c.reserved2 ||
      c.reserved3)
    return EINVAL;
  // Records not written cannot be left unread.
  if ((c.flags & IRQBRIDGE_CONFIG_NO_RECORDS) && (c.flags & IRQBRIDGE_CONFIG_RECORDS_UNREAD))
    return EINVAL;
  if (c.burst == 0 || c.burst > IRQBRIDGE_BURST_MAX) return EINVAL;
  if (c.period_ns < IRQBRIDGE_PERIOD_MIN_NS || c.period_ns > IRQBRIDGE_PERIOD_MAX_NS) return EINVAL;
  if (c.events == 0 || c.events > IRQBRIDGE_EVENTS_MAX) return EINVAL;
  // A session alone within a CPU's rate budget, its whole burst counted.
  if (uint64_t{c.burst} * 1000000000ULL / c.period_ns > IRQBRIDGE_CPU_RATE_MAX) return EINVAL;
  if (c.work_ns > IRQBRIDGE_WORK_MAX_NS || c.sleep_us > IRQBRIDGE_SLEEP_MAX_US) return EINVAL;
  if (c.mode == 0 || c.mode >= 32 || !(modes & (1U << c.mode))) return EOPNOTSUPP;
  if (c.source > IRQBRIDGE_SOURCE_MAX) return EINVAL;
  if (c.burst > 1 && c.source == IRQBRIDGE_SOURCE_EDU) return EINVAL;
  // A handler thread needs an interrupt: neither timer has one.
  if (c.mode == kModeThreaded && !source_has_irq(c.source)) return EINVAL;
  if (c.sleep_us && !mode_may_sleep(c.mode)) return EINVAL;
  if (c.work_ns && c.mode == IRQBRIDGE_MODE_DIRECT) return EINVAL;
  // The threaded mode's SCHED_FIFO thread: work at most half the period.
  if (c.mode == kModeThreaded && uint64_t{c.work_ns} * 2 > c.period_ns) return EINVAL;
  return 0;
}

const char* const kSourceName[] = {"timer", "irqchip", "edu", "timer_soft"};
static_assert(std::size(kSourceName) == IRQBRIDGE_SOURCE_MAX + 1);

// Random draws, one generator per thread.
struct Dice {
  std::mt19937_64 rng;
  explicit Dice(uint64_t seed) : rng(seed) {}
  uint64_t pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); }
  bool coin(unsigned percent) { return pick(100) < percent; }
  // Log-uniform in [lo, hi]: every decade as likely as the next.
  uint64_t logu(uint64_t lo, uint64_t hi) {
    double l = std::log(static_cast<double>(lo)), h = std::log(static_cast<double>(hi));
    auto v = static_cast<uint64_t>(std::exp(std::uniform_real_distribution<double>(l, h)(rng)));
    return std::clamp(v, lo, hi);
  }

  // A pointer: usually good, sometimes NULL, unmapped or kernel space.
  void* pointer(void* good, bool* bad) {
    *bad = true;
    switch (pick(12)) {
      case 0:
        return nullptr;
      case 1:
        return reinterpret_cast<void*>(8);
      case 2:
        return reinterpret_cast<void*>(0xffffffff81000000ULL);
      default:
        *bad = false;
        return good;
    }
  }

  // A config from the whole accepted space; with @broken, one field is then
  // put outside it (*field names which).
  irqbridge_config config(bool broken, const char** field) {
    irqbridge_config c{};
    c.size = sizeof(c);
    c.mode = static_cast<uint32_t>(1 + pick(IRQBRIDGE_MODE_MAX));
    c.source = static_cast<uint32_t>(pick(IRQBRIDGE_SOURCE_MAX + 1));
    if (c.mode == kModeThreaded && !source_has_irq(c.source))
      c.source = 1 + static_cast<uint32_t>(pick(2));
    c.period_ns = logu(IRQBRIDGE_PERIOD_MIN_NS, IRQBRIDGE_PERIOD_MAX_NS);
    c.events = logu(1, IRQBRIDGE_EVENTS_MAX);
    if (coin(15)) c.events = coin(50) ? 1 : IRQBRIDGE_EVENTS_MAX;
    if (coin(30))
      c.flags = coin(50) ? IRQBRIDGE_CONFIG_NO_RECORDS : IRQBRIDGE_CONFIG_RECORDS_UNREAD;
    // A storm: any burst the rate budget allows at this period (edu: 1).
    c.burst = 1;
    if (c.source != IRQBRIDGE_SOURCE_EDU && coin(30)) {
      const uint64_t most = std::min<uint64_t>(
          IRQBRIDGE_BURST_MAX, c.period_ns / (1000000000ULL / IRQBRIDGE_CPU_RATE_MAX));
      c.burst = static_cast<uint32_t>(coin(20) ? most : 1 + pick(most));
    }
    if (c.mode != IRQBRIDGE_MODE_DIRECT && coin(50))
      c.work_ns =
          static_cast<uint32_t>(coin(10) ? IRQBRIDGE_WORK_MAX_NS : logu(1, IRQBRIDGE_WORK_MAX_NS));
    if (mode_may_sleep(c.mode) && coin(30))
      c.sleep_us = static_cast<uint32_t>(coin(10) ? IRQBRIDGE_SLEEP_MAX_US
                                                  : logu(1, IRQBRIDGE_SLEEP_MAX_US));
    *field = nullptr;
    if (!broken) return c;
    switch (pick(19)) {
      case 0:
        *field = "size";
        c.size = static_cast<uint32_t>(coin(50) ? pick(sizeof(c)) : sizeof(c) + 1 + pick(4096));
        break;
      case 1:
        *field = "mode";
        c.mode = coin(50) ? 0 : IRQBRIDGE_MODE_MAX + 1 + static_cast<uint32_t>(pick(1U << 31));
        break;
      case 2:
        *field = "period_ns";
        c.period_ns = coin(50) ? pick(IRQBRIDGE_PERIOD_MIN_NS)
                               : IRQBRIDGE_PERIOD_MAX_NS + 1 + pick(UINT64_MAX / 2);
        break;
      case 3:
        *field = "events";
        c.events = coin(50) ? 0 : IRQBRIDGE_EVENTS_MAX + 1 + pick(UINT64_MAX / 2);
        break;
      case 4:
        *field = "flags";  // one unknown bit at least, any others, the known ones as drawn
        c.flags |=
            (static_cast<uint32_t>(pick(uint64_t{UINT32_MAX} + 1)) | (1U << (2 + pick(30)))) &
            ~IRQBRIDGE_CONFIG_FLAGS;
        break;
      case 5:
        *field = "reserved";
        c.reserved = 1 + static_cast<uint32_t>(pick(UINT32_MAX - 1));
        break;
      case 6:
        *field = "reserved2";
        c.reserved2 = 1 + static_cast<uint32_t>(pick(UINT32_MAX - 1));
        break;
      case 7:
        *field = "source";
        c.source = IRQBRIDGE_SOURCE_MAX + 1 + static_cast<uint32_t>(pick(1U << 31));
        break;
      case 8:
        *field = "work_ns";
        c.work_ns = IRQBRIDGE_WORK_MAX_NS + 1 + static_cast<uint32_t>(pick(1U << 31));
        break;
      case 9:
        *field = "sleep_us";
        c.sleep_us = IRQBRIDGE_SLEEP_MAX_US + 1 + static_cast<uint32_t>(pick(1U << 31));
        break;
      case 10:
        *field = "threaded_on_timer";
        c.mode = kModeThreaded;
        c.source = coin(50) ? IRQBRIDGE_SOURCE_TIMER : IRQBRIDGE_SOURCE_TIMER_SOFT;
        c.sleep_us = 0;
        break;
      case 11: {
        *field = "sleep_in_atomic_mode";
        const uint32_t atomic[] = {IRQBRIDGE_MODE_TASKLET, IRQBRIDGE_MODE_TASKLET_HI,
                                   IRQBRIDGE_MODE_BH_WQ, IRQBRIDGE_MODE_DIRECT};
        c.mode = atomic[pick(4)];
        c.work_ns = 0;
        c.sleep_us = 1 + static_cast<uint32_t>(pick(IRQBRIDGE_SLEEP_MAX_US));
        break;
      }
      case 12:
        *field = "work_in_direct";
        c.mode = IRQBRIDGE_MODE_DIRECT;
        c.sleep_us = 0;
        c.work_ns = 1 + static_cast<uint32_t>(pick(IRQBRIDGE_WORK_MAX_NS));
        break;
      case 13:
        *field = "burst";  // 0, just above the bound, or anything up to 2^32 - 1
        switch (pick(3)) {
          case 0:
            c.burst = 0;
            break;
          case 1:
            c.burst = IRQBRIDGE_BURST_MAX + 1;
            break;
          default:
            c.burst = IRQBRIDGE_BURST_MAX + 1 +
                      static_cast<uint32_t>(pick(uint64_t{UINT32_MAX} - IRQBRIDGE_BURST_MAX));
        }
        break;
      case 14: {
        *field = "burst_over_rate";  // a burst the CPU's budget has no room for
        c.burst = 2 + static_cast<uint32_t>(pick(IRQBRIDGE_BURST_MAX - 1));
        const uint64_t least = uint64_t{c.burst} * (1000000000ULL / IRQBRIDGE_CPU_RATE_MAX);
        c.period_ns = IRQBRIDGE_PERIOD_MIN_NS + pick(least - IRQBRIDGE_PERIOD_MIN_NS);
        break;
      }
      case 15:
        *field = "burst_from_edu";
        c.source = IRQBRIDGE_SOURCE_EDU;
        c.burst = 2 + static_cast<uint32_t>(pick(IRQBRIDGE_BURST_MAX - 1));
        c.period_ns = IRQBRIDGE_PERIOD_MAX_NS;
        break;
      case 16:
        *field = "reserved3";
        c.reserved3 = 1 + static_cast<uint32_t>(pick(UINT32_MAX - 1));
        break;
      case 17:
        *field = "flags_unread_without_records";
        c.flags = IRQBRIDGE_CONFIG_NO_RECORDS | IRQBRIDGE_CONFIG_RECORDS_UNREAD;
        break;
      default:
        *field = "mode_and_period";  // two fields: the range check comes first
        c.mode = 0;
        c.period_ns = 0;
        break;
    }
    return c;
  }

  // A random ioctl number that is none of the module's and none the VFS
  // handles itself (FIOCLEX & co. 'T', FIFREEZE 'X', FS_IOC_* 'f', FIBMAP
  // and FIGETBSZ 0, FICLONE 0x94, FS_IOC_GETFSUUID 0x15): ENOTTY exactly.
  unsigned long foreign_cmd() {
    for (;;) {
      unsigned long cmd = coin(50) ? _IOC(pick(4), IRQBRIDGE_IOC_MAGIC, pick(256), pick(1 << 14))
                                   : static_cast<unsigned long>(pick(1ULL << 32));
      unsigned type = _IOC_TYPE(cmd);
      if (type == 'T' || type == 'X' || type == 'f' || type == 0 || type == 0x94 || type == 0x15)
        continue;
      // GET_STATS and IRQL_PROBE answer every size of their layouts.
      const unsigned size = _IOC_SIZE(cmd);
      if (type == IRQBRIDGE_IOC_MAGIC && _IOC_DIR(cmd) == _IOC_READ &&
          ((_IOC_NR(cmd) == _IOC_NR(IRQBRIDGE_IOC_GET_STATS) && size >= IRQBRIDGE_STATS_SIZE_V1 &&
            size <= sizeof(irqbridge_stats)) ||
           (_IOC_NR(cmd) == _IOC_NR(IRQBRIDGE_IOC_IRQL_PROBE) &&
            size >= IRQBRIDGE_IRQL_PROBE_SIZE_V1 && size <= sizeof(irqbridge_irql_probe))))
        continue;
      switch (cmd) {
        case IRQBRIDGE_IOC_GET_INFO:
        case IRQBRIDGE_IOC_SET_EVENTFD:
        case IRQBRIDGE_IOC_CONFIGURE:
        case IRQBRIDGE_IOC_CONFIGURE_V1:
        case IRQBRIDGE_IOC_START:
        case IRQBRIDGE_IOC_STOP:
        case IRQBRIDGE_IOC_GET_STATS:
        case IRQBRIDGE_IOC_GET_COST:
        case IRQBRIDGE_IOC_NEW_CHANNEL:
        case IRQBRIDGE_IOC_IRQL_PROBE:
        case IRQBRIDGE_IOC_GET_CATALOGUE:
          continue;
        default:
          return cmd;
      }
    }
  }
};

int ioctl_errno(int fd, unsigned long cmd, void* arg) { return ::ioctl(fd, cmd, arg) ? errno : 0; }

// STOP, then the run must have counted exactly what it raised and fired.
void check_stopped(Verdict& v, int fd, const char* when) {
  v.expect("stop", ioctl_errno(fd, IRQBRIDGE_IOC_STOP, nullptr), 0, when);
  irqbridge_stats st{};
  v.expect("get_stats", ioctl_errno(fd, IRQBRIDGE_IOC_GET_STATS, &st), 0, when);
  if (st.error == ENODEV) v.removed_runs++;
  if (st.fired != st.counted || st.raised != st.fired || st.running ||
      (st.error != 0 && st.error != ENODEV)) {
    v.failures++;
    std::printf(
        "fuzz: FAIL %s: after STOP raised %llu fired %llu counted %llu running %u "
        "error %u\n",
        when, static_cast<unsigned long long>(st.raised), static_cast<unsigned long long>(st.fired),
        static_cast<unsigned long long>(st.counted), st.running, st.error);
  } else {
    v.exact_runs++;
  }
}

std::string read_line(const std::string& path) {
  std::ifstream f(path);
  std::string s;
  std::getline(f, s);
  return s;
}

bool write_sysfs(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  ::close(fd);
  return ok;
}

// The PCI address of QEMU's edu device (1234:11e8), "" if there is none.
std::string find_edu() {
  std::string found;
  DIR* d = ::opendir("/sys/bus/pci/devices");
  if (!d) return found;
  while (dirent* e = ::readdir(d)) {
    std::string base = std::string("/sys/bus/pci/devices/") + e->d_name;
    if (read_line(base + "/vendor") == "0x1234" && read_line(base + "/device") == "0x11e8") {
      found = e->d_name;
      break;
    }
  }
  ::closedir(d);
  return found;
}

// Takes the edu device away and brings it back, alternating sysfs
// remove + rescan and driver unbind + bind, with random pauses so the
// removal lands in every phase of the sessions' runs.
class EduChurn {
 public:
  EduChurn(Verdict& v, uint64_t seed) : v_(v), dice_(seed) {}
  bool start() {
    bdf_ = find_edu();
    if (bdf_.empty()) {
      std::printf("fuzz: no edu device: no removal thread\n");
      return false;
    }
    thread_ = std::jthread([this](std::stop_token st) { run(st); });
    return true;
  }
  void stop() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
  }
  bool alive() const { return alive_; }

 private:
  void pause() { std::this_thread::sleep_for(std::chrono::microseconds(dice_.logu(100, 50000))); }
  void run(std::stop_token st) {
    const std::string dev = "/sys/bus/pci/devices/" + bdf_;
    const std::string drv = "/sys/bus/pci/drivers/irqbridge-edu";
    while (!st.stop_requested()) {
      pause();
      bool ok;
      if (dice_.coin(50)) {
        ok = write_sysfs(dev + "/remove", "1");
        pause();
        ok = write_sysfs("/sys/bus/pci/rescan", "1") && ok;
        // The rescan may number the device anew.
        for (int i = 0; i < 100 && find_edu().empty(); i++)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::string again = find_edu();
        if (again.empty()) {
          v_.fail("fuzz: FAIL %s -> %s %s\n", "edu_rescan", ENODEV, "device did not come back");
          break;
        }
        bdf_ = again;
      } else {
        ok = write_sysfs(drv + "/unbind", bdf_);
        pause();
        ok = write_sysfs(drv + "/bind", bdf_) && ok;
      }
      if (!ok) {
        v_.fail("fuzz: FAIL %s -> %s %s\n", "edu_cycle", errno, "a sysfs write failed");
        break;
      }
      v_.edu_cycles++;
    }
    alive_ = false;
  }
  Verdict& v_;
  Dice dice_;
  std::string bdf_;
  std::atomic<bool> alive_{true};
  std::jthread thread_;
};

// Takes CPUs 1..N-1 offline and back while the sessions run.
class CpuChurn {
 public:
  CpuChurn(Verdict& v, uint64_t seed) : v_(v), dice_(seed) {}
  void start() {
    for (unsigned c = 1; c < 64; c++)
      if (::access(online(c).c_str(), W_OK) == 0) cpus_.push_back(c);
    if (cpus_.empty()) {
      std::printf("fuzz: no CPU can go offline: no hotplug thread\n");
      return;
    }
    thread_ = std::jthread([this](std::stop_token st) { run(st); });
  }
  void stop() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
  }

 private:
  static std::string online(unsigned c) {
    return "/sys/devices/system/cpu/cpu" + std::to_string(c) + "/online";
  }
  void run(std::stop_token st) {
    while (!st.stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(dice_.logu(10, 2000)));
      unsigned c = cpus_[dice_.pick(cpus_.size())];
      bool ok = write_sysfs(online(c), "0");
      if (!ok && errno != EBUSY)  // a CPU the kernel cannot take down now
        v_.fail("fuzz: FAIL %s -> %s %s\n", "cpu_offline", errno, "");
      std::this_thread::sleep_for(std::chrono::milliseconds(dice_.logu(1, 500)));
      // EBUSY: hotplug is disabled for a moment (cpu_hotplug_disable(),
      // seen once on the debug kernel): the CPU must come back, so retry.
      bool back = false;
      int err = 0;
      for (int i = 0; i < 100 && !back; i++) {
        back = write_sysfs(online(c), "1");
        err = back ? 0 : errno;
        if (!back && err != EBUSY) break;
        if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (!back) v_.fail("fuzz: FAIL %s -> %s %s\n", "cpu_online", err, "CPU did not come back");
      if (ok && back) v_.cpu_cycles++;
    }
  }
  Verdict& v_;
  Dice dice_;
  std::vector<unsigned> cpus_;
  std::jthread thread_;
};

unsigned possible_cpus() {
  // "0-3" or "0"
  std::string s = read_line("/sys/devices/system/cpu/possible");
  auto dash = s.find('-');
  return dash == std::string::npos ? 1 : static_cast<unsigned>(std::stoul(s.substr(dash + 1)) + 1);
}

// ---------------------------------------------------------------- phase 1

struct Session {
  uint64_t id;
  Fd fd;
  bool channel = false;  // a channel's file: no NEW_CHANNEL (ENOTTY)
  bool configured = false;
  bool evctx = false;
  bool running = false;
  uint32_t source = 0;
  bool storm = false;  // burst > 1: an irqchip session takes a storm line
  uint64_t rate = 0;   // top halves per second of the configured period
};

class Sequential {
 public:
  Sequential(Verdict& v, uint64_t seed, bool churn)
      : v_(v), dice_(seed), churn_(churn), max_sessions_(std::min(possible_cpus() + 1, 64U)) {}

  void run(uint64_t calls, Clock::time_point deadline) {
    while (v_.calls < calls && Clock::now() < deadline) step();
    close_all();
  }

 private:
  // Sessions alive in the module: open files, and closed ones whose ring
  // is still mapped (a mapping holds the file) or, the device's, that a
  // channel still holds.
  size_t alive() const {
    std::vector<uint64_t> ids;
    for (const auto& s : sessions_) ids.push_back(s.id);
    for (const auto& s : ghosts_) ids.push_back(s.id);
    for (const auto& m : maps_) ids.push_back(m.first);
    std::sort(ids.begin(), ids.end());
    return static_cast<size_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
  }

  Session* any() { return sessions_.empty() ? nullptr : &sessions_[dice_.pick(sessions_.size())]; }

  unsigned running_on(uint32_t source) const {
    unsigned n = 0;
    for (const auto* list : {&sessions_, &ghosts_})
      for (const auto& s : *list)
        if (s.running && s.source == source) n++;
    return n;
  }

  // irq_chip lines of one set (level lines for a burst of 1, MSI-like storm
  // lines for a burst: one of each per possible CPU) that running sessions
  // hold.
  unsigned irqchip_lines_held(bool storm) const {
    unsigned n = 0;
    for (const auto* list : {&sessions_, &ghosts_})
      for (const auto& s : *list)
        if (s.running && s.source == IRQBRIDGE_SOURCE_IRQCHIP && s.storm == storm) n++;
    return n;
  }

  void open_device() {
    Fd fd(::open("/dev/irqbridge", O_RDWR | O_CLOEXEC));
    // Busy while a channel or a mapping of ours outlives the device's file.
    v_.expect("open", fd ? 0 : errno, alive() == 0 ? 0 : EBUSY);
    if (!fd) return;
    v_.expect("get_info", ioctl_errno(fd.get(), IRQBRIDGE_IOC_GET_INFO, &info_), 0);
    sessions_.push_back(Session{next_id_++, std::move(fd)});
  }

  void close_all() {
    for (auto& s : sessions_)
      if (s.running) check_stopped(v_, s.fd.get(), "close_all");
    maps_.clear();
    ghosts_.clear();
    sessions_.clear();
  }

  bool mapped(const Session& g) const {
    return std::any_of(maps_.begin(), maps_.end(), [&g](const auto& m) { return m.first == g.id; });
  }

  // A channel holds the device's file: the device's session lives on
  // (running or not) while any channel does.
  bool channels_alive() const {
    for (const auto* list : {&sessions_, &ghosts_})
      for (const auto& o : *list)
        if (o.channel) return true;
    return false;
  }

  // Released: closed sessions no mapping (and, the device's, no channel)
  // holds any more. Channels first: their release lets the device's go.
  void prune_ghosts() {
    std::erase_if(ghosts_, [this](const Session& g) { return g.channel && !mapped(g); });
    std::erase_if(ghosts_, [this](const Session& g) {
      return !g.channel && !mapped(g) && !channels_alive();
    });
  }

  // Close a session's file: it lives on (running or not) while mapped, and
  // the device's while a channel lives.
  void close_session(size_t i) {
    Session& s = sessions_[i];
    s.fd.reset();
    ghosts_.push_back(std::move(s));
    sessions_.erase(sessions_.begin() + static_cast<long>(i));
    prune_ghosts();
  }

  // Unmap one mapping; the last one of a closed session releases it.
  void unmap_one() {
    if (maps_.empty()) return;
    maps_.erase(maps_.begin() + static_cast<long>(dice_.pick(maps_.size())));
    prune_ghosts();
  }

  void configure(Session& s) {
    const char* field;
    bool broken = dice_.coin(25);
    irqbridge_config c = dice_.config(broken, &field);
    bool bad_ptr;
    void* p = dice_.pointer(&c, &bad_ptr);
    int err = ioctl_errno(s.fd.get(), IRQBRIDGE_IOC_CONFIGURE, p);
    if (bad_ptr) return v_.expect("configure_badptr", err, EFAULT);
    int want = config_errno(c, info_.modes);
    if (broken) {
      v_.broken_configs++;
      char what[64];
      std::snprintf(what, sizeof(what), "broken %s", field);
      if (want == 0) {  // the model itself must call it broken
        v_.fail("fuzz: FAIL %s -> %s %s\n", "config_model", 0, what);
        return;
      }
      return v_.expect("configure_broken", err, want, what);
    }
    v_.cover(std::string("mode ") + std::to_string(c.mode) + " " + kSourceName[c.source]);
    if (c.work_ns > c.period_ns) v_.cover("work/period > 1");
    if (c.sleep_us) v_.cover("sleep");
    if (c.burst > 1) v_.cover("burst > 1");
    if (c.burst == IRQBRIDGE_BURST_MAX) v_.cover("burst max");
    if (c.period_ns == IRQBRIDGE_PERIOD_MIN_NS) v_.cover("period min");
    if (want == 0 && c.source == IRQBRIDGE_SOURCE_EDU && !(info_.sources & (1U << c.source)))
      want = ENODEV;
    if (want == 0 && s.running) want = EBUSY;
    if (churn_ && c.source == IRQBRIDGE_SOURCE_EDU &&
        (want == 0 || want == ENODEV || want == EBUSY))
      v_.allow("configure", err, {ENODEV, s.running ? EBUSY : 0});  // the device comes and goes
    else
      v_.expect("configure", err, want);
    if (err == 0) {
      s.configured = true;
      s.source = c.source;
      s.storm = c.burst > 1;
      s.rate = uint64_t{c.burst} * 1000000000ULL / c.period_ns;
    }
  }

  void start(Session& s) {
    int err = ioctl_errno(s.fd.get(), IRQBRIDGE_IOC_START, nullptr);
    int want = 0;
    if (s.running)
      want = EBUSY;
    else if (!s.configured)
      want = EINVAL;
    else if (!s.evctx)
      want = ENOTCONN;
    else if (s.source == IRQBRIDGE_SOURCE_IRQCHIP && irqchip_lines_held(s.storm) >= possible_cpus())
      want = EBUSY;  // one line of the session's set per possible CPU
    else if (s.source == IRQBRIDGE_SOURCE_EDU && running_on(s.source) >= 1)
      want = EBUSY;  // one device for all
    else if (s.source == IRQBRIDGE_SOURCE_EDU && !churn_ && !(info_.sources & (1U << s.source)))
      want = ENODEV;
    // The rate budget is per CPU (IRQBRIDGE_CPU_RATE_MAX top halves a
    // second): over it only if all running sessions share one CPU.
    uint64_t rate = s.rate;
    for (const auto* list : {&sessions_, &ghosts_})
      for (const auto& o : *list)
        if (o.running) rate += o.rate;
    bool rate_busy = want == 0 && rate > IRQBRIDGE_CPU_RATE_MAX;
    bool edu_free = want == 0 || (want == EBUSY && !s.running);
    if (edu_free && churn_ && s.source == IRQBRIDGE_SOURCE_EDU)
      // The device comes and goes; the one that comes back is free even
      // while the session the removal ended has not been stopped yet.
      v_.allow("start", err, {0, ENODEV, EBUSY});
    else if (rate_busy)
      v_.allow("start", err, {0, EBUSY});
    else
      v_.expect("start", err, want);
    if (err == 0) s.running = true;
  }

  void set_eventfd(Session& s) {
    if (!efd_ || dice_.coin(20)) efd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    int32_t fd;
    int want;
    switch (dice_.pick(5)) {
      case 0:
        fd = -1;
        want = 0;
        break;
      case 1:
        fd = null_fd_.get();
        want = EINVAL;  // not an eventfd
        break;
      case 2:
        fd = 4000 + static_cast<int32_t>(dice_.pick(96));  // never open here
        want = EBADF;
        break;
      default:
        fd = efd_.get();
        want = 0;
        break;
    }
    if (want == 0 && s.running) want = EBUSY;
    bool bad_ptr;
    void* p = dice_.pointer(&fd, &bad_ptr);
    int err = ioctl_errno(s.fd.get(), IRQBRIDGE_IOC_SET_EVENTFD, p);
    v_.expect("set_eventfd", err, bad_ptr ? EFAULT : want);
    if (err == 0) s.evctx = fd != -1;
  }

  // GET_CATALOGUE on any session, running or not: the modes it marks
  // supported are GET_INFO's mask, the timer is always present (the edu
  // device comes and goes with the hot-plug thread: its bit is not judged).
  void get_catalogue(Session& s) {
    irqbridge_catalogue cat;
    std::memset(&cat, 0xcc, sizeof(cat));
    bool bad;
    void* p = dice_.pointer(&cat, &bad);
    int err = ioctl_errno(s.fd.get(), IRQBRIDGE_IOC_GET_CATALOGUE, p);
    v_.expect("get_catalogue", err, bad ? EFAULT : 0);
    if (bad || err) return;
    uint32_t supported = 0, present = 0;
    for (uint32_t i = 0; i < cat.nr_modes && i < IRQBRIDGE_CATALOGUE_MODES; i++)
      if (cat.modes[i].caps & IRQBRIDGE_MODE_CAP_SUPPORTED) supported |= 1U << cat.modes[i].mode;
    for (uint32_t i = 0; i < cat.nr_sources && i < IRQBRIDGE_CATALOGUE_SOURCES; i++)
      if (cat.sources[i].flags & IRQBRIDGE_SOURCE_CAP_PRESENT)
        present |= 1U << cat.sources[i].source;
    bool ok = cat.size == sizeof(cat) && cat.reserved == 0 &&
              cat.nr_modes <= IRQBRIDGE_CATALOGUE_MODES &&
              cat.nr_sources <= IRQBRIDGE_CATALOGUE_SOURCES && supported == info_.modes &&
              (present & (1U << IRQBRIDGE_SOURCE_TIMER)) != 0 &&
              (present & (1U << IRQBRIDGE_SOURCE_TIMER_SOFT)) != 0;
    if (!ok) {
      v_.failures++;
      std::printf(
          "fuzz: FAIL get_catalogue: size %u nr_modes %u nr_sources %u supported 0x%x "
          "(GET_INFO 0x%x) present 0x%x\n",
          cat.size, cat.nr_modes, cat.nr_sources, supported, info_.modes, present);
    }
  }

  void mmap_ring(Session& s) {
    size_t len = dice_.coin(70) ? info_.ring_bytes : 4096 * (1 + dice_.pick(8));
    off_t off = dice_.coin(85) ? 0 : static_cast<off_t>(4096 * (1 + dice_.pick(4)));
    bool exec = dice_.coin(10);
    int prot = exec ? PROT_READ | PROT_EXEC : PROT_READ | PROT_WRITE;
    void* a = ::mmap(nullptr, len, prot, MAP_SHARED, s.fd.get(), off);
    int want = exec ? EPERM : (off != 0 || len != info_.ring_bytes) ? EINVAL : 0;
    v_.expect("mmap", a == MAP_FAILED ? errno : 0, want);
    if (a != MAP_FAILED) {
      maps_.emplace_back(s.id, Mapping(a, len));
      // Scribble over the reader-owned tail: the kernel must not care.
      if (dice_.coin(50)) static_cast<irqbridge_ring_header*>(a)->tail = dice_.pick(UINT64_MAX);
    }
  }

  void step() {
    if (sessions_.empty()) {
      // A mapping of a closed session keeps the device busy: unmap first.
      if (!maps_.empty() && dice_.coin(90)) return unmap_one();
      return open_device();
    }
    Session& s = *any();
    switch (dice_.pick(20)) {
      case 0: {
        Fd second(::open("/dev/irqbridge", O_RDWR | O_CLOEXEC));
        v_.expect("second_open", second ? 0 : errno, EBUSY);
        break;
      }
      case 1: {
        if (dice_.coin(50)) {
          get_catalogue(s);
          break;
        }
        irqbridge_info i;
        bool bad;
        void* p = dice_.pointer(&i, &bad);
        v_.expect("get_info", ioctl_errno(s.fd.get(), IRQBRIDGE_IOC_GET_INFO, p), bad ? EFAULT : 0);
        if (!bad) info_.sources = i.sources;
        break;
      }
      case 2:
        set_eventfd(s);
        break;
      case 3:
      case 4:
      case 5:
        configure(s);
        break;
      case 6:
      case 7:
        start(s);
        break;
      case 8:
        if (s.running) {
          // Let the run do some work first.
          ::usleep(static_cast<useconds_t>(dice_.logu(1, 20000)));
          check_stopped(v_, s.fd.get(), "sequential");
          s.running = false;
        } else {
          v_.expect("stop_idle", ioctl_errno(s.fd.get(), IRQBRIDGE_IOC_STOP, nullptr), 0);
        }
        break;
      case 9: {
        irqbridge_stats st;
        irqbridge_cost cost;
        bool bad;
        if (dice_.coin(50)) {
          void* p = dice_.pointer(&st, &bad);
          v_.expect("get_stats", ioctl_errno(s.fd.get(), IRQBRIDGE_IOC_GET_STATS, p),
                    bad ? EFAULT : 0);
        } else {
          void* p = dice_.pointer(&cost, &bad);
          v_.expect("get_cost", ioctl_errno(s.fd.get(), IRQBRIDGE_IOC_GET_COST, p),
                    bad ? EFAULT : 0);
        }
        break;
      }
      case 10: {
        uint64_t buf[512] = {};
        v_.expect("foreign_ioctl", ioctl_errno(s.fd.get(), dice_.foreign_cmd(), buf), ENOTTY);
        break;
      }
      case 11: {
        int fd = ::ioctl(s.fd.get(), IRQBRIDGE_IOC_NEW_CHANNEL, 0);
        int want = s.channel ? ENOTTY : alive() < max_sessions_ ? 0 : EMFILE;
        v_.expect("new_channel", fd >= 0 ? 0 : errno, want);
        if (fd >= 0) sessions_.push_back(Session{next_id_++, Fd(fd), true});
        break;
      }
      case 12:
        mmap_ring(s);
        break;
      case 13:
        unmap_one();
        break;
      case 14:
        if (efd_) {
          uint64_t n;
          v_.allow("read_eventfd", ::read(efd_.get(), &n, sizeof(n)) == sizeof(n) ? 0 : errno,
                   {0, EAGAIN});
        }
        break;
      case 15:
        if (dice_.coin(30)) efd_.reset();  // the session keeps its reference
        break;
      case 16:
        if (dice_.coin(20)) {  // close one session, running or not
          size_t i = dice_.pick(sessions_.size());
          if (sessions_[i].running && dice_.coin(50)) {
            check_stopped(v_, sessions_[i].fd.get(), "before close");
            sessions_[i].running = false;
          }
          close_session(i);
        }
        break;
      case 17:
        if (dice_.coin(5)) close_all();
        break;
      default:
        ::usleep(static_cast<useconds_t>(dice_.logu(1, 2000)));
        break;
    }
  }

  Verdict& v_;
  Dice dice_;
  bool churn_;
  unsigned max_sessions_;
  Fd efd_;
  Fd null_fd_{::open("/dev/null", O_RDONLY | O_CLOEXEC)};
  irqbridge_info info_{};
  std::vector<Session> sessions_;
  std::vector<std::pair<uint64_t, Mapping>> maps_;  // session id, its mapping
  std::vector<Session> ghosts_;                     // closed, still mapped or held
  uint64_t next_id_ = 0;
};

// ---------------------------------------------------------------- phase 2

// A session shared by the racing threads. Its fd stays open while any
// thread uses it (shared_ptr); "close" drops the table's reference, so the
// release races whatever the others are doing. The gate is taken shared by
// the racing calls and exclusively by a STOP that checks the counts.
struct Shared {
  std::shared_ptr<Fd> fd;
  std::shared_ptr<std::shared_mutex> gate;
  bool channel = false;  // a channel's file: no NEW_CHANNEL (ENOTTY)
};

class Race {
 public:
  Race(Verdict& v, uint64_t seed, unsigned threads)
      : v_(v), seed_(seed), nthreads_(threads), table_(std::min(possible_cpus() + 1, 64U) + 2) {}

  // Until more() says enough.
  void run(const std::function<bool()>& more) {
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < nthreads_; t++)
      workers.emplace_back([this, t, &more] {
        Dice dice(seed_ * 1000003 + t);
        Fd efd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        while (more()) step(dice, efd);
      });
    workers.clear();  // join
    // Every session left: its run must count exactly once stopped.
    for (auto& slot : table_)
      if (slot.fd) check_stopped(v_, slot.fd->get(), "race end");
    maps_.clear();
    table_.assign(table_.size(), Shared{});
  }

 private:
  // A random open session, or an empty one (then the caller opens the
  // device) when none is open.
  Shared grab(Dice& dice, size_t* index) {
    std::lock_guard lock(mu_);
    std::vector<size_t> open;
    for (size_t i = 0; i < table_.size(); i++)
      if (table_[i].fd) open.push_back(i);
    *index = open.empty() ? 0 : open[dice.pick(open.size())];
    return table_[*index];
  }

  void put(Fd fd, bool channel = false) {
    std::lock_guard lock(mu_);
    for (auto& slot : table_)
      if (!slot.fd) {
        slot = Shared{std::make_shared<Fd>(std::move(fd)), std::make_shared<std::shared_mutex>(),
                      channel};
        return;
      }
    // Full: the new session is closed at once (fd goes out of scope).
  }

  void step(Dice& dice, Fd& efd) {
    size_t idx;
    Shared s = grab(dice, &idx);
    if (!s.fd) {
      Fd fd(::open("/dev/irqbridge", O_RDWR | O_CLOEXEC));
      // Busy while a session lives: one another thread still uses, or a
      // mapped one (then unmap one).
      v_.allow("race_open", fd ? 0 : errno, {0, EBUSY});
      if (fd) {
        put(std::move(fd));
      } else {
        // Another thread still releases (or stops) the last session.
        ::usleep(1000);
        Mapping m;
        std::lock_guard lock(mu_);
        if (!maps_.empty()) {
          m = std::move(maps_.back());
          maps_.pop_back();
        }
      }
      return;
    }
    const int fd = s.fd->get();
    switch (dice.pick(12)) {
      case 0:
      case 1: {
        const char* field;
        bool broken = dice.coin(20);
        irqbridge_config c = dice.config(broken, &field);
        std::shared_lock g(*s.gate);
        int err = ioctl_errno(fd, IRQBRIDGE_IOC_CONFIGURE, &c);
        int want = config_errno(c, modes_);
        if (broken) {
          v_.broken_configs++;
          v_.expect("race_configure_broken", err, want, field);
        } else if (want) {
          v_.expect("race_configure", err, want);
        } else {
          v_.allow("race_configure", err, {0, EBUSY, ENODEV});
        }
        break;
      }
      case 2:
      case 3: {
        std::shared_lock g(*s.gate);
        v_.allow("race_start", ioctl_errno(fd, IRQBRIDGE_IOC_START, nullptr),
                 {0, EINVAL, ENOTCONN, EBUSY, ENODEV});
        break;
      }
      case 4: {
        std::shared_lock g(*s.gate);
        v_.expect("race_stop", ioctl_errno(fd, IRQBRIDGE_IOC_STOP, nullptr), 0);
        break;
      }
      case 5: {  // the session to itself: its STOP must count exactly
        std::unique_lock g(*s.gate);
        check_stopped(v_, fd, "race");
        break;
      }
      case 6: {
        if (dice.coin(10)) efd.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        int32_t e = dice.coin(20) ? -1 : efd.get();
        std::shared_lock g(*s.gate);
        v_.allow("race_set_eventfd", ioctl_errno(fd, IRQBRIDGE_IOC_SET_EVENTFD, &e), {0, EBUSY});
        break;
      }
      case 7: {
        int ch = ::ioctl(fd, IRQBRIDGE_IOC_NEW_CHANNEL, 0);
        if (s.channel)
          v_.expect("race_new_channel", ch >= 0 ? 0 : errno, ENOTTY);
        else
          v_.allow("race_new_channel", ch >= 0 ? 0 : errno, {0, EMFILE});
        if (ch >= 0) put(Fd(ch), true);
        break;
      }
      case 8: {
        size_t len = ring_bytes(fd);
        void* a = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        v_.expect("race_mmap", a == MAP_FAILED ? errno : 0, 0);
        if (a != MAP_FAILED) {
          std::lock_guard lock(mu_);
          maps_.emplace_back(a, len);
        }
        break;
      }
      case 9: {
        Mapping m;
        {
          std::lock_guard lock(mu_);
          if (!maps_.empty()) {
            size_t i = dice.pick(maps_.size());
            m = std::move(maps_[i]);
            maps_.erase(maps_.begin() + static_cast<long>(i));
          }
        }
        break;  // m unmaps here, outside the lock
      }
      case 10: {  // close: the last user releases the session
        std::lock_guard lock(mu_);
        if (dice.coin(40)) table_[idx] = Shared{};
        break;
      }
      default: {
        irqbridge_stats st;
        v_.expect("race_get_stats", ioctl_errno(fd, IRQBRIDGE_IOC_GET_STATS, &st), 0);
        uint64_t n;
        if (::read(efd.get(), &n, sizeof(n)) < 0 && errno != EAGAIN)
          v_.fail("fuzz: FAIL %s -> %s %s\n", "race_read_eventfd", errno, "");
        ::usleep(static_cast<useconds_t>(dice.logu(1, 5000)));
        break;
      }
    }
  }

  size_t ring_bytes(int fd) {
    irqbridge_info i{};
    v_.expect("race_get_info", ioctl_errno(fd, IRQBRIDGE_IOC_GET_INFO, &i), 0);
    return i.ring_bytes;
  }

 public:
  void set_info(const irqbridge_info& i) { modes_ = i.modes; }

 private:
  Verdict& v_;
  uint64_t seed_;
  unsigned nthreads_;
  std::mutex mu_;
  std::vector<Shared> table_;  // protected by mu_
  std::vector<Mapping> maps_;  // protected by mu_
  uint32_t modes_ = 0;         // set before the threads start
};

// The summary as JSON: the keys are this program's own words (call names,
// config-space keys), printable ASCII without quotes or backslashes, but
// escaped anyway.
std::string json_string(const std::string& in) {
  std::string out = "\"";
  for (char c : in) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

struct Summary {
  uint64_t seed, want_calls, want_race_calls, want_edu_cycles, max_seconds;
  unsigned threads;
  bool hotplug, churn;
  uint64_t seq_calls;
  double seq_seconds, race_seconds;
};

bool write_json(const std::string& path, const Verdict& v, const Summary& s) {
  std::ofstream f(path);
  auto u = [](uint64_t n) { return std::to_string(n); };
  char secs[64];
  std::snprintf(secs, sizeof(secs), "%.1f, \"race_seconds\": %.1f", s.seq_seconds, s.race_seconds);
  f << "{\n  \"tool\": \"ioctl_fuzz\",\n  \"seed\": " << u(s.seed)
    << ",\n  \"requested\": {\"calls\": " << u(s.want_calls)
    << ", \"race_calls\": " << u(s.want_race_calls) << ", \"threads\": " << s.threads
    << ", \"edu_cycles\": " << u(s.want_edu_cycles)
    << ", \"hotplug\": " << (s.hotplug ? "true" : "false")
    << ", \"max_seconds\": " << u(s.max_seconds) << "},\n  \"calls\": " << u(v.calls)
    << ",\n  \"sequential_calls\": " << u(s.seq_calls)
    << ",\n  \"race_calls\": " << u(v.calls - s.seq_calls)
    << ",\n  \"sequential_seconds\": " << secs << ",\n  \"stopped_runs_exact\": " << u(v.exact_runs)
    << ",\n  \"runs_ended_by_removal\": " << u(v.removed_runs)
    << ",\n  \"broken_configs_refused\": " << u(v.broken_configs)
    << ",\n  \"edu_churn\": " << (s.churn ? "true" : "false")
    << ",\n  \"edu_cycles\": " << u(v.edu_cycles) << ",\n  \"cpu_cycles\": " << u(v.cpu_cycles)
    << ",\n  \"failures\": " << u(v.failures) << ",\n  \"outcomes\": {";
  const char* sep = "\n";
  for (const auto& [what, errs] : v.outcomes) {
    f << sep << "    " << json_string(what) << ": {";
    const char* sep2 = "";
    for (const auto& [err, n] : errs) {
      f << sep2 << json_string(err ? strerrorname_np(err) : "ok") << ": " << u(n);
      sep2 = ", ";
    }
    f << "}";
    sep = ",\n";
  }
  f << "\n  },\n  \"config_space\": {";
  sep = "\n";
  for (const auto& [key, n] : v.space) {
    f << sep << "    " << json_string(key) << ": " << u(n);
    sep = ",\n";
  }
  f << "\n  }\n}\n";
  f.close();
  return static_cast<bool>(f);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1, calls = 100000, race_calls = 0, edu_cycles = 0, max_seconds = 3600;
  unsigned threads = 4;
  bool hotplug = false;
  std::string json;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string opt = argv[i];
    uint64_t val = std::strtoull(argv[i + 1], nullptr, 0);
    if (opt == "--json")
      json = argv[i + 1];
    else if (opt == "--seed")
      seed = val;
    else if (opt == "--calls")
      calls = val;
    else if (opt == "--race-calls")
      race_calls = val;
    else if (opt == "--threads")
      threads = static_cast<unsigned>(std::max<uint64_t>(1, val));
    else if (opt == "--edu-cycles")
      edu_cycles = val;
    else if (opt == "--hotplug")
      hotplug = val != 0;
    else if (opt == "--max-seconds")
      max_seconds = val;
    else {
      std::fprintf(stderr,
                   "usage: ioctl_fuzz [--seed N] [--calls N] [--race-calls N] [--threads N] "
                   "[--edu-cycles N] [--hotplug 0|1] [--max-seconds N] [--json FILE]\n");
      return 2;
    }
  }
  const auto t0 = Clock::now();
  const auto deadline = t0 + std::chrono::seconds(max_seconds);
  Verdict v;
  irqbridge_info info{};
  {
    Fd dev(::open("/dev/irqbridge", O_RDWR | O_CLOEXEC));
    if (!dev || ::ioctl(dev.get(), IRQBRIDGE_IOC_GET_INFO, &info)) {
      std::printf("fuzz: FAIL cannot open /dev/irqbridge: %s\n", std::strerror(errno));
      return 1;
    }
  }
  EduChurn edu(v, seed ^ 0xed0);
  bool churn = edu_cycles > 0 && edu.start();
  CpuChurn cpus(v, seed ^ 0xc90);
  if (hotplug) cpus.start();

  Sequential(v, seed, churn).run(calls, deadline);
  uint64_t seq_calls = v.calls;
  auto t1 = Clock::now();
  if (race_calls || (churn && v.edu_cycles < edu_cycles)) {
    Race race(v, seed, threads);
    race.set_info(info);
    const uint64_t start = v.calls;
    race.run([&] {
      bool want_more = v.calls - start < race_calls || (edu.alive() && v.edu_cycles < edu_cycles);
      return want_more && Clock::now() < deadline && v.failures < 50;
    });
  }
  edu.stop();
  cpus.stop();
  auto secs = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  const auto t2 = Clock::now();

  std::printf(
      "fuzz: seed %llu: %llu calls (%llu sequential in %.0f s, %llu racing on %u threads "
      "in %.0f s), %llu stopped runs counted exactly, %llu broken configs refused "
      "exactly, %llu edu remove/rescan cycles (%llu runs ended by a removal), %llu CPU "
      "offline/online cycles\n",
      static_cast<unsigned long long>(seed), static_cast<unsigned long long>(v.calls.load()),
      static_cast<unsigned long long>(seq_calls), secs(t1 - t0),
      static_cast<unsigned long long>(v.calls - seq_calls), threads, secs(t2 - t1),
      static_cast<unsigned long long>(v.exact_runs.load()),
      static_cast<unsigned long long>(v.broken_configs.load()),
      static_cast<unsigned long long>(v.edu_cycles.load()),
      static_cast<unsigned long long>(v.removed_runs.load()),
      static_cast<unsigned long long>(v.cpu_cycles.load()));
  for (const auto& [what, errs] : v.outcomes) {
    std::printf("fuzz:   %-22s", what.c_str());
    for (const auto& [err, n] : errs)
      std::printf(" %s=%llu", err ? strerrorname_np(err) : "ok",
                  static_cast<unsigned long long>(n));
    std::printf("\n");
  }
  std::printf("fuzz: config space covered (valid configs):");
  for (const auto& [key, n] : v.space)
    std::printf(" [%s]=%llu", key.c_str(), static_cast<unsigned long long>(n));
  std::printf("\n");
  if (churn && v.edu_cycles < edu_cycles) {
    std::printf("fuzz: FAIL only %llu of %llu edu cycles before the deadline\n",
                static_cast<unsigned long long>(v.edu_cycles.load()),
                static_cast<unsigned long long>(edu_cycles));
    v.failures++;
  }
  if (v.calls < calls + race_calls) {  // the deadline came first
    std::printf("fuzz: FAIL only %llu of %llu calls before the deadline\n",
                static_cast<unsigned long long>(v.calls.load()),
                static_cast<unsigned long long>(calls + race_calls));
    v.failures++;
  }
  if (edu_cycles && !churn) {
    std::printf("fuzz: FAIL edu cycles asked for but no edu device\n");
    v.failures++;
  }
  if (!json.empty() &&
      !write_json(json, v,
                  Summary{seed, calls, race_calls, edu_cycles, max_seconds, threads, hotplug, churn,
                          seq_calls, secs(t1 - t0), secs(t2 - t1)})) {
    std::printf("fuzz: FAIL cannot write %s\n", json.c_str());
    v.failures++;
  }
  std::printf("fuzz: %llu failures\n", static_cast<unsigned long long>(v.failures.load()));
  return v.failures == 0 ? 0 : 1;
}
