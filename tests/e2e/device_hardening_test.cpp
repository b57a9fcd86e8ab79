// Hardening of /dev/irqbridge (issue 11): what a device user, a device
// removal or an interrupt still on its way may not do to the kernel. Part of
// the device_test binary, run in the guest.
//
// - the busy work of a bottom-half run is bounded, and what was cut is
//   counted exactly; the threaded mode's SCHED_FIFO thread keeps half the
//   period for others
// - GET_STATS still answers the first layout of struct irqbridge_stats
// - the ring can be neither executable nor a private copy
// - after every STOP raised == fired == counted, and the next run never
//   sees the previous run's interrupt
// - a CPU takes at most IRQBRIDGE_CPU_RATE_MAX top halves per second from
//   the sessions started on it; a session's charge follows its timer when
//   the timer's CPU goes offline (hard and soft expiry)
// - the irqchip lines refuse a new affinity from userspace (irqbalance)
// - EduRemoval.*: the edu device removed in every phase of a run (only with
//   IRQBRIDGE_REMOVAL=1: tests/e2e/guest/remove.sh, which boots two edu
//   devices and judges the kernel log)
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <uapi/irqbridge.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "device_util.hpp"
#include "irqbridge/abi/catalogue.hpp"
#include "irqbridge/abi/modes.hpp"
#include "irqbridge/sys/unique_fd.hpp"

namespace {

using irqbridge::e2e::Config;
using irqbridge::e2e::Fd;
using irqbridge::e2e::Info;
using irqbridge::e2e::Ioctl;
using irqbridge::e2e::Ioctl0;
using irqbridge::e2e::kDevice;
using irqbridge::e2e::LockdepKernel;
using irqbridge::e2e::MonotonicNs;
using irqbridge::e2e::OpenDevice;
using irqbridge::e2e::RealtimeKernel;
using irqbridge::e2e::Stats;
using Clock = std::chrono::steady_clock;

// Parameterised cases are named after their mode (".../bh_wq"), so the
// host's skip judge (check_gtest.py) can tell a mode this kernel must lack.
std::string ModeParamName(const ::testing::TestParamInfo<uint32_t>& info) {
  const auto* mode = irqbridge::compiled_catalogue().mode(info.param);
  return mode != nullptr ? mode->name : "mode" + std::to_string(info.param);
}

bool PinTo(size_t cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return ::sched_setaffinity(0, sizeof(set), &set) == 0;
}

void Unpin() {
  cpu_set_t set;
  CPU_ZERO(&set);
  const auto cpus = static_cast<size_t>(::sysconf(_SC_NPROCESSORS_ONLN));
  for (size_t i = 0; i < cpus; i++) CPU_SET(i, &set);
  ::sched_setaffinity(0, sizeof(set), &set);
}

// One session with its eventfd and mapped ring.
struct Session {
  Fd fd;
  Fd efd;
  void* ring = MAP_FAILED;
  size_t ring_bytes = 0;

  explicit Session(int raw) : fd(raw), efd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() {
    if (ring != MAP_FAILED) ::munmap(ring, ring_bytes);
  }

  int Attach() {
    int32_t e = efd.get();
    return Ioctl(fd.get(), IRQBRIDGE_IOC_SET_EVENTFD, &e);
  }
  bool Map() {
    ring_bytes = Info(fd.get()).ring_bytes;
    ring = ::mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    return ring != MAP_FAILED;
  }
  // Waits until @events are counted, at most @limit; the count read.
  uint64_t WaitCounted(uint64_t events, std::chrono::seconds limit) {
    uint64_t total = 0;
    const auto deadline = Clock::now() + limit;
    while (total < events && Clock::now() < deadline) {
      pollfd pfd{efd.get(), POLLIN, 0};
      if (::poll(&pfd, 1, 200) == 1) {
        uint64_t v = 0;
        if (::read(efd.get(), &v, sizeof(v)) == sizeof(v)) total += v;
      }
    }
    return total;
  }
  std::vector<irqbridge_record> Records() const {
    const auto* hdr = static_cast<const irqbridge_ring_header*>(ring);
    const auto* base = static_cast<const unsigned char*>(ring) + IRQBRIDGE_RING_RECORDS_OFFSET;
    const uint64_t head = __atomic_load_n(&hdr->head, __ATOMIC_ACQUIRE);
    const uint64_t n = std::min<uint64_t>(head, hdr->nr_records);
    std::vector<irqbridge_record> out(n);
    for (uint64_t i = 0; i < n; i++)
      std::memcpy(&out[i], base + (i & (hdr->nr_records - 1)) * sizeof(irqbridge_record),
                  sizeof(irqbridge_record));
    return out;
  }
};

std::string ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

bool WriteFile(const std::string& path, const std::string& value) {
  Fd f(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!f) return false;
  return ::write(f.get(), value.data(), value.size()) == static_cast<ssize_t>(value.size());
}

// ---------------------------------------------------------------------------
// 1. Busy work: bounded per run, the cut counted exactly.

// Named after the mode (the compiled-in catalogue's name) and, behind the
// module's irq_chip, _irqchip.
struct BusyCase {
  uint32_t mode;
  uint32_t source;
};

class BusyWorkTest : public ::testing::TestWithParam<BusyCase> {};

// work_ns = 1 ms at a 20 us period: each event brings 50 more before its
// work is done. Without a bound the batches grow geometrically and one run
// keeps the CPU for seconds (a tasklet: in softirq; issue 11 saw an RCU
// stall). With the bound each run busy-loops at most
// IRQBRIDGE_RUN_WORK_MAX_NS and work_capped counts the events it skipped,
// exactly: sum over runs of batch - RUN_WORK_MAX / work_ns.
TEST_P(BusyWorkTest, EachRunIsBoundedAndTheCutIsCounted) {
  const BusyCase bc = GetParam();
  Session s(::open(kDevice, O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(s.fd) << std::strerror(errno);
  const irqbridge_info info = Info(s.fd.get());
  if (!(info.modes & (1u << bc.mode))) GTEST_SKIP() << "mode not offered by this kernel";
  ASSERT_TRUE(s.Map());
  ASSERT_EQ(s.Attach(), 0);
  constexpr uint64_t kEvents = 2000;
  constexpr uint32_t kWork = IRQBRIDGE_WORK_MAX_NS;
  auto c = Config(bc.mode, 20000, kEvents, bc.source, kWork);
  ASSERT_EQ(Ioctl(s.fd.get(), IRQBRIDGE_IOC_CONFIGURE, &c), 0);
  ASSERT_EQ(Ioctl0(s.fd.get(), IRQBRIDGE_IOC_START), 0);
  const uint64_t counted = s.WaitCounted(kEvents, std::chrono::seconds(180));
  ASSERT_EQ(Ioctl0(s.fd.get(), IRQBRIDGE_IOC_STOP), 0);
  const irqbridge_stats st = Stats(s.fd.get());
  EXPECT_EQ(counted, kEvents);
  EXPECT_EQ(st.size, sizeof(irqbridge_stats));
  EXPECT_EQ(st.raised, kEvents);
  EXPECT_EQ(st.fired, kEvents);
  EXPECT_EQ(st.counted, kEvents);
  EXPECT_EQ(st.error, 0u);

  const auto recs = s.Records();
  ASSERT_EQ(recs.size(), kEvents) << "records lost: the exact check needs them all";
  const bool chain = bc.mode == IRQBRIDGE_MODE_DPC_WORKITEM;
  const uint64_t per_run = uint64_t{IRQBRIDGE_RUN_WORK_MAX_NS} / kWork;
  uint64_t expected_capped = 0, runs = 0, longest = 0;
  for (size_t i = 0; i < recs.size();) {
    const irqbridge_record& r = recs[i];
    ASSERT_GE(r.batch, 1u);
    ASSERT_LE(i + r.batch, recs.size()) << "seq " << r.seq;
    // A run's records are consecutive and share its signal time.
    for (size_t j = i; j < i + r.batch; j++) ASSERT_EQ(recs[j].signal_ns, r.signal_ns);
    expected_capped += r.batch - std::min<uint64_t>(r.batch, per_run);
    const uint64_t took = chain ? r.chain_ns : r.bottom_ns;
    longest = std::max<uint64_t>(longest, r.signal_ns - took);
    runs++;
    i += r.batch;
  }
  EXPECT_EQ(st.work_capped, expected_capped) << runs << " signalling runs";
  EXPECT_GT(st.work_capped, 0u) << "the bottom half kept up: no cut to check";
  // The bound itself is asserted above, exactly: each run did the work of
  // at most RUN_WORK_MAX_NS / work_ns events (work_capped). A run's wall
  // time is only reported: under TCG on a loaded host a vCPU can lose the
  // host CPU in the middle of a run (and task-context runs are preemptible
  // by design), so a wall-clock bound would test the host, not the module.
  RecordProperty("longest_signalling_run_us", static_cast<int>(longest / 1000));
}

constexpr uint32_t kTimer = IRQBRIDGE_SOURCE_TIMER;
constexpr uint32_t kChip = IRQBRIDGE_SOURCE_IRQCHIP;
constexpr uint32_t kEdu = IRQBRIDGE_SOURCE_EDU;

INSTANTIATE_TEST_SUITE_P(Modes, BusyWorkTest,
                         ::testing::Values(BusyCase{IRQBRIDGE_MODE_TASKLET, kTimer},
                                           BusyCase{IRQBRIDGE_MODE_TASKLET_HI, kTimer},
                                           BusyCase{IRQBRIDGE_MODE_BH_WQ, kTimer},
                                           BusyCase{IRQBRIDGE_MODE_WORKQUEUE, kTimer},
                                           BusyCase{IRQBRIDGE_MODE_WQ_HIGHPRI, kTimer},
                                           BusyCase{IRQBRIDGE_MODE_WQ_UNBOUND, kTimer},
                                           BusyCase{IRQBRIDGE_MODE_DPC_WORKITEM, kTimer},
                                           BusyCase{IRQBRIDGE_MODE_TASKLET, kChip}),
                         [](const auto& p) {
                           return std::string(irqbridge::find_mode(p.param.mode)->name) +
                                  (p.param.source == kChip ? "_irqchip" : "");
                         });

// The threaded mode's thread is SCHED_FIFO: cond_resched() does not let a
// normal task in, so its busy work may take at most half of each period.
TEST(Hardening, ThreadedWorkIsAtMostHalfThePeriod) {
  Fd fd = OpenDevice();
  ASSERT_TRUE(fd);
  auto c = Config(IRQBRIDGE_MODE_THREADED, 20000, 10, kChip, 10001);
  EXPECT_EQ(Ioctl(fd.get(), IRQBRIDGE_IOC_CONFIGURE, &c), EINVAL);
  c.work_ns = 10000;
  EXPECT_EQ(Ioctl(fd.get(), IRQBRIDGE_IOC_CONFIGURE, &c), 0);
  // The other task-context modes are preemptible: any ratio is accepted.
  c = Config(IRQBRIDGE_MODE_WORKQUEUE, 20000, 10, kTimer, IRQBRIDGE_WORK_MAX_NS);
  EXPECT_EQ(Ioctl(fd.get(), IRQBRIDGE_IOC_CONFIGURE, &c), 0);
}

// ---------------------------------------------------------------------------
// The stats grew (work_capped, error): the first layout is still answered.

struct StatsV1 {
  unsigned char bytes[IRQBRIDGE_STATS_SIZE_V1];
};
static_assert(offsetof(irqbridge_stats, work_capped) == IRQBRIDGE_STATS_SIZE_V1);

// A read verb whose struct grew, called through its number with an older
// layout's size into buf (0xcc beyond): it succeeds, the struct's leading
// size field says that size, and nothing is written past it.
void ExpectAnsweredAtSize(int fd, unsigned long cmd, size_t size, std::span<unsigned char> buf) {
  std::memset(buf.data(), 0xcc, buf.size());
  ASSERT_EQ(Ioctl(fd, cmd, buf.data()), 0);
  uint32_t answered = 0;
  std::memcpy(&answered, buf.data(), sizeof(answered));
  EXPECT_EQ(answered, size);
  for (size_t i = size; i < buf.size(); i++)
    ASSERT_EQ(buf[i], 0xcc) << "byte " << i << " written past the caller's struct";
}

TEST(Hardening, StatsAnswersTheFirstLayoutToo) {
  Fd fd = OpenDevice();
  ASSERT_TRUE(fd);
  unsigned char buf[sizeof(irqbridge_stats) + 16];
  ASSERT_NO_FATAL_FAILURE(ExpectAnsweredAtSize(fd.get(), _IOR(IRQBRIDGE_IOC_MAGIC, 0x05, StatsV1),
                                               IRQBRIDGE_STATS_SIZE_V1, buf));

  ASSERT_NO_FATAL_FAILURE(
      ExpectAnsweredAtSize(fd.get(), IRQBRIDGE_IOC_GET_STATS, sizeof(irqbridge_stats), buf));
  // Shorter than the first layout: not a size the module knows.
  EXPECT_EQ(Ioctl(fd.get(), _IOC(_IOC_READ, IRQBRIDGE_IOC_MAGIC, 0x05, 8), buf), ENOTTY);
}

// The IRQL probe grew (the wait steps): its first layout, 13 steps, is
// still answered, and nothing is written past it.
struct IrqlProbeV1 {
  unsigned char bytes[IRQBRIDGE_IRQL_PROBE_SIZE_V1];
};
static_assert(offsetof(irqbridge_irql_probe, steps) + 13 * sizeof(irqbridge_probe_step) ==
              IRQBRIDGE_IRQL_PROBE_SIZE_V1);

TEST(Hardening, IrqlProbeAnswersTheFirstLayoutToo) {
  Fd fd = OpenDevice();
  ASSERT_TRUE(fd);
  unsigned char buf[sizeof(irqbridge_irql_probe) + 16];
  ASSERT_NO_FATAL_FAILURE(ExpectAnsweredAtSize(
      fd.get(), _IOR(IRQBRIDGE_IOC_MAGIC, 0x08, IrqlProbeV1), IRQBRIDGE_IRQL_PROBE_SIZE_V1, buf));
  // Every V1 step happened (numbered 1..13 in some order).
  irqbridge_irql_probe p{};
  std::memcpy(&p, buf, IRQBRIDGE_IRQL_PROBE_SIZE_V1);
  for (int i = 0; i < 13; i++) EXPECT_NE(p.steps[i].order, 0u) << "step " << i;
  // Shorter than the first layout, or longer than the newest: unknown sizes.
  EXPECT_EQ(Ioctl(fd.get(), _IOC(_IOC_READ, IRQBRIDGE_IOC_MAGIC, 0x08, 8), buf), ENOTTY);
  EXPECT_EQ(Ioctl(fd.get(), _IOC(_IOC_READ, IRQBRIDGE_IOC_MAGIC, 0x08, sizeof(buf)), buf), ENOTTY);
}

// ---------------------------------------------------------------------------
// 4. The ring mapping.

TEST(Hardening, RingCanNeverBecomeExecutable) {
  Fd fd = OpenDevice();
  ASSERT_TRUE(fd);
  const size_t bytes = Info(fd.get()).ring_bytes;
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  ASSERT_NE(p, MAP_FAILED) << std::strerror(errno);
  errno = 0;
  EXPECT_EQ(::mprotect(p, bytes, PROT_READ | PROT_EXEC), -1) << "mprotect(PROT_EXEC) succeeded";
  EXPECT_EQ(errno, EACCES);
  EXPECT_EQ(::munmap(p, bytes), 0);
  errno = 0;
  EXPECT_EQ(::mmap(nullptr, bytes, PROT_READ | PROT_EXEC, MAP_SHARED, fd.get(), 0), MAP_FAILED);
  EXPECT_EQ(errno, EPERM);
}

TEST(Hardening, RingRefusesAPrivateMapping) {
  Fd fd = OpenDevice();
  ASSERT_TRUE(fd);
  const size_t bytes = Info(fd.get()).ring_bytes;
  for (int prot : {PROT_READ, PROT_READ | PROT_WRITE}) {
    errno = 0;
    void* p = ::mmap(nullptr, bytes, prot, MAP_PRIVATE, fd.get(), 0);
    EXPECT_EQ(p, MAP_FAILED) << "MAP_PRIVATE accepted (prot " << prot << ")";
    if (p != MAP_FAILED) ::munmap(p, bytes);
    EXPECT_EQ(errno, EINVAL);
  }
}

// ---------------------------------------------------------------------------
// 3. No interrupt in flight survives STOP.

class StopTest : public ::testing::TestWithParam<uint32_t> {};

// STOP at arbitrary points of a fast edu run: the last raise's MSI may
// still be on its way (in a LAPIC) when the timer is cancelled. After each
// STOP raised == fired == counted, and the next run's first top half is
// its own raise, never the previous run's interrupt.
TEST_P(StopTest, NothingInFlightSurvivesStop) {
  const uint32_t mode = GetParam();
  Session s(::open(kDevice, O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(s.fd);
  const irqbridge_info info = Info(s.fd.get());
  if (!(info.modes & (1u << mode))) GTEST_SKIP() << "mode not offered by this kernel";
  if (!(info.sources & (1u << kEdu))) GTEST_SKIP() << "no edu device";
  ASSERT_TRUE(s.Map());
  ASSERT_EQ(s.Attach(), 0);
  auto c = Config(mode, IRQBRIDGE_PERIOD_MIN_NS, IRQBRIDGE_EVENTS_MAX, kEdu);
  ASSERT_EQ(Ioctl(s.fd.get(), IRQBRIDGE_IOC_CONFIGURE, &c), 0);
  for (int i = 0; i < 60; i++) {
    const uint64_t before = MonotonicNs();
    ASSERT_EQ(Ioctl0(s.fd.get(), IRQBRIDGE_IOC_START), 0);
    // Stop at a different point each time, busy (no sleep) so the stop
    // lands anywhere in a raise.
    const uint64_t until = MonotonicNs() + uint64_t(i % 7) * 150000;
    while (MonotonicNs() < until) {
    }
    ASSERT_EQ(Ioctl0(s.fd.get(), IRQBRIDGE_IOC_STOP), 0);
    const irqbridge_stats st = Stats(s.fd.get());
    ASSERT_EQ(st.raised, st.fired) << "cycle " << i;
    ASSERT_EQ(st.fired, st.counted) << "cycle " << i;
    EXPECT_EQ(st.running, 0u);
    const auto recs = s.Records();
    if (!recs.empty()) {
      EXPECT_EQ(recs[0].seq, 0u);
      EXPECT_GE(recs[0].raise_ns, before) << "cycle " << i << ": top half #0 is an older raise";
      EXPECT_GE(recs[0].expected_ns, before) << "cycle " << i;
      EXPECT_GE(recs[0].top_ns, recs[0].raise_ns) << "cycle " << i;
    }
    uint64_t drain = 0;
    while (::read(s.efd.get(), &drain, sizeof(drain)) == sizeof(drain)) {
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, StopTest,
                         ::testing::Values(IRQBRIDGE_MODE_TASKLET, IRQBRIDGE_MODE_WORKQUEUE,
                                           IRQBRIDGE_MODE_TASKLET_HI, IRQBRIDGE_MODE_WQ_HIGHPRI,
                                           IRQBRIDGE_MODE_WQ_UNBOUND, IRQBRIDGE_MODE_BH_WQ,
                                           IRQBRIDGE_MODE_THREADED, IRQBRIDGE_MODE_DPC_WORKITEM,
                                           IRQBRIDGE_MODE_DIRECT),
                         ModeParamName);

// ---------------------------------------------------------------------------
// 5. The hard-IRQ rate a device user can put on one CPU.

// The device's own session and a channel, each with an eventfd attached:
// two sessions for the rate budget's cases. Members close in reverse order.
struct TwoSessions {
  Fd dev, chan, ev_dev, ev_chan;
};

void OpenTwoSessions(TwoSessions* t) {
  t->dev = OpenDevice();
  ASSERT_TRUE(t->dev);
  t->chan = Fd(::ioctl(t->dev.get(), IRQBRIDGE_IOC_NEW_CHANNEL, 0));
  ASSERT_TRUE(t->chan) << std::strerror(errno);
  t->ev_dev = Fd(::eventfd(0, EFD_CLOEXEC));
  t->ev_chan = Fd(::eventfd(0, EFD_CLOEXEC));
  int32_t f1 = t->ev_dev.get(), f2 = t->ev_chan.get();
  ASSERT_EQ(Ioctl(t->dev.get(), IRQBRIDGE_IOC_SET_EVENTFD, &f1), 0);
  ASSERT_EQ(Ioctl(t->chan.get(), IRQBRIDGE_IOC_SET_EVENTFD, &f2), 0);
}

// Sessions started on one CPU share IRQBRIDGE_CPU_RATE_MAX top halves per
// second: one 10 us session fills it, two 20 us sessions fit, a CPU of its
// own always has room. Root and the device's group alike: no capability
// lifts it (docs/reliability.md says why).
TEST(Hardening, OneCpuTakesAtMostTheRateOfOneFloorSession) {
  TwoSessions t;
  ASSERT_NO_FATAL_FAILURE(OpenTwoSessions(&t));
  Fd& dev = t.dev;
  Fd& chan = t.chan;
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);

  auto floor =
      Config(IRQBRIDGE_MODE_WORKQUEUE, IRQBRIDGE_PERIOD_MIN_NS, IRQBRIDGE_EVENTS_MAX, kTimer);
  auto slow = Config(IRQBRIDGE_MODE_WORKQUEUE, IRQBRIDGE_PERIOD_MAX_NS, 10, kTimer);
  ASSERT_EQ(Ioctl(dev.get(), IRQBRIDGE_IOC_CONFIGURE, &floor), 0);
  ASSERT_EQ(Ioctl(chan.get(), IRQBRIDGE_IOC_CONFIGURE, &slow), 0);
  ASSERT_TRUE(PinTo(0));
  ASSERT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_START), 0);
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_START), EBUSY) << "a second session on a full CPU";
  if (cpus > 1) {
    ASSERT_TRUE(PinTo(1));
    EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_START), 0) << "another CPU has room";
    EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_STOP), 0);
  }
  ASSERT_TRUE(PinTo(0));
  EXPECT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_STOP), 0);
  // STOP gave the rate back.
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_START), 0);
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_STOP), 0);

  auto half =
      Config(IRQBRIDGE_MODE_WORKQUEUE, 2 * IRQBRIDGE_PERIOD_MIN_NS, IRQBRIDGE_EVENTS_MAX, kTimer);
  ASSERT_EQ(Ioctl(dev.get(), IRQBRIDGE_IOC_CONFIGURE, &half), 0);
  ASSERT_EQ(Ioctl(chan.get(), IRQBRIDGE_IOC_CONFIGURE, &half), 0);
  EXPECT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_START), 0);
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_START), 0) << "two 20 us sessions fit";
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_STOP), 0);
  EXPECT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_STOP), 0);
  // A burst counts whole: 2 top halves every 20 us fill the CPU as the
  // floor does, and the slow session finds no room beside it.
  auto storm = Config(IRQBRIDGE_MODE_WORKQUEUE, 2 * IRQBRIDGE_PERIOD_MIN_NS, IRQBRIDGE_EVENTS_MAX,
                      kTimer, 0, 2);
  ASSERT_EQ(Ioctl(dev.get(), IRQBRIDGE_IOC_CONFIGURE, &storm), 0);
  ASSERT_EQ(Ioctl(chan.get(), IRQBRIDGE_IOC_CONFIGURE, &slow), 0);
  ASSERT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_START), 0);
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_START), EBUSY) << "a burst of 2 at 20 us fills a CPU";
  EXPECT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_STOP), 0);
  // Closing a running session gives its rate back too.
  ASSERT_EQ(Ioctl(chan.get(), IRQBRIDGE_IOC_CONFIGURE, &floor), 0);
  ASSERT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_START), 0);
  chan.reset();
  EXPECT_EQ(Ioctl(dev.get(), IRQBRIDGE_IOC_CONFIGURE, &floor), 0);
  EXPECT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_START), 0);
  EXPECT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_STOP), 0);
  Unpin();
}

// Writes cpuN/online, retrying while the kernel has CPU hotplug disabled
// for a moment (EBUSY); false if it does not take within 30 s.
bool SetCpuOnline(int cpu, bool online) {
  const std::string path = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/online";
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (!WriteFile(path, online ? "1" : "0")) {
    if (errno != EBUSY || Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// A session's rate stays charged to a CPU only while its timer is there.
// A floor session fills CPU 1; CPU 1 goes offline, the kernel moves the
// pinned timer to CPU 0 and the charge follows it at the next expiry:
// back online, CPU 1 has room again, and CPU 0 (which now carries the
// 100,000 top halves per second) has none until that session stops. Before
// the charge followed the timer, CPU 1 stayed full until STOP and CPU 0
// took a second floor session's worth on top. Both expiry contexts: the
// hard-IRQ timer and timer_soft (softirq, interrupts on).
class RateBudgetHotplug : public ::testing::TestWithParam<uint32_t> {};

TEST_P(RateBudgetHotplug, ChargeFollowsATimerOffAnOfflineCpu) {
  if (::sysconf(_SC_NPROCESSORS_ONLN) < 2 || ::access("/sys/devices/system/cpu/cpu1/online", W_OK))
    GTEST_SKIP() << "CPU 1 cannot go offline here";
  const uint32_t source = GetParam();
  TwoSessions t;
  ASSERT_NO_FATAL_FAILURE(OpenTwoSessions(&t));
  Fd& dev = t.dev;
  Fd& chan = t.chan;
  auto floor =
      Config(IRQBRIDGE_MODE_WORKQUEUE, IRQBRIDGE_PERIOD_MIN_NS, IRQBRIDGE_EVENTS_MAX, source);
  floor.flags = IRQBRIDGE_CONFIG_NO_RECORDS;
  auto slow = Config(IRQBRIDGE_MODE_WORKQUEUE, IRQBRIDGE_PERIOD_MAX_NS, 10, source);
  ASSERT_EQ(Ioctl(dev.get(), IRQBRIDGE_IOC_CONFIGURE, &floor), 0);
  ASSERT_EQ(Ioctl(chan.get(), IRQBRIDGE_IOC_CONFIGURE, &slow), 0);

  ASSERT_TRUE(PinTo(1));
  ASSERT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_START), 0);
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_START), EBUSY) << "CPU 1 is full";
  ASSERT_TRUE(PinTo(0));
  ASSERT_TRUE(SetCpuOnline(1, false)) << std::strerror(errno);
  // The timer fires on CPU 0 now (the charge moves at its first expiry there).
  const uint64_t fired = Stats(dev.get()).fired;
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Stats(dev.get()).fired < fired + 10 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GE(Stats(dev.get()).fired, fired + 10) << "the timer did not move to CPU 0";
  ASSERT_TRUE(SetCpuOnline(1, true)) << std::strerror(errno);

  ASSERT_TRUE(PinTo(1));
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_START), 0) << "CPU 1 is still charged";
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_STOP), 0);
  ASSERT_TRUE(PinTo(0));
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_START), EBUSY)
      << "CPU 0 carries the moved timer but is not charged for it";
  EXPECT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_STOP), 0);
  // STOP gave the rate back to CPU 0, where it was charged last.
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_START), 0);
  EXPECT_EQ(Ioctl0(chan.get(), IRQBRIDGE_IOC_STOP), 0);
  ASSERT_EQ(Ioctl(dev.get(), IRQBRIDGE_IOC_CONFIGURE, &floor), 0);
  EXPECT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_START), 0) << "CPU 0 is empty again";
  EXPECT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_STOP), 0);
  ASSERT_TRUE(PinTo(1));
  EXPECT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_START), 0) << "CPU 1 is empty again";
  EXPECT_EQ(Ioctl0(dev.get(), IRQBRIDGE_IOC_STOP), 0);
  const auto st = Stats(dev.get());
  EXPECT_EQ(st.raised, st.fired);
  EXPECT_EQ(st.fired, st.counted);
  Unpin();
}

INSTANTIATE_TEST_SUITE_P(Hardening, RateBudgetHotplug,
                         ::testing::Values(IRQBRIDGE_SOURCE_TIMER, IRQBRIDGE_SOURCE_TIMER_SOFT),
                         [](const ::testing::TestParamInfo<uint32_t>& p) {
                           return std::string(p.param == IRQBRIDGE_SOURCE_TIMER ? "timer"
                                                                                : "timer_soft");
                         });

// ---------------------------------------------------------------------------
// The CPU-time guard: the rate budget bounds top halves per second, not
// their time, and a slow machine (the debug kernel under TCG) spends all
// of a CPU in them at the full budget. The module's interrupt work on a
// CPU takes at most irq_share percent of it (50, never more): work of d ns
// leaves the CPU quiet for d * (100 - share) / share ns, and an expiry
// inside that time raises nothing (throttled). At a share of 1 % the
// expiry after each raise of a 10 us run lands in the quiet time it left,
// on any machine (each raise's work takes more than 100 ns), unless that
// expiry itself comes later than the quiet time (a soft timer behind other
// softirqs on the debug kernel did once in 200). The raises are made at
// later expiries: the count stays exact. Where the top half runs inside
// the timer callback (timer, timer_soft, irqchip), its records show the
// bound itself: the next raise comes at least 99 x (top - raise) later.

constexpr char kIrqShare[] = "/sys/module/irqbridge/parameters/irq_share";

// Sets irq_share for a test and puts the default back.
struct IrqShare {
  explicit IrqShare(const char* share) { ok = WriteFile(kIrqShare, share); }
  ~IrqShare() { WriteFile(kIrqShare, "50"); }
  bool ok;
};

// Runs the configured session's @events at a share of 1 % (the default put
// back after) and stops it; the caller reads the stats and records.
void RunAtOnePercent(Session& s, const irqbridge_config& c, uint64_t events) {
  IrqShare share("1");
  ASSERT_TRUE(share.ok) << kIrqShare << ": " << std::strerror(errno);
  ASSERT_EQ(Ioctl(s.fd.get(), IRQBRIDGE_IOC_CONFIGURE, &c), 0);
  ASSERT_EQ(Ioctl0(s.fd.get(), IRQBRIDGE_IOC_START), 0);
  EXPECT_EQ(s.WaitCounted(events, std::chrono::seconds(120)), events);
  ASSERT_EQ(Ioctl0(s.fd.get(), IRQBRIDGE_IOC_STOP), 0);
}

class CpuTimeGuard : public ::testing::TestWithParam<uint32_t> {};

TEST_P(CpuTimeGuard, ASpentShareDefersTheRaisesAndKeepsTheCount) {
  const uint32_t source = GetParam();
  Session s(::open(kDevice, O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(s.fd) << std::strerror(errno);
  if (!(Info(s.fd.get()).sources & (1u << source))) GTEST_SKIP() << "source not present";
  ASSERT_TRUE(s.Map());
  ASSERT_EQ(s.Attach(), 0);
  constexpr uint64_t kEvents = 200;
  auto c = Config(IRQBRIDGE_MODE_TASKLET, IRQBRIDGE_PERIOD_MIN_NS, kEvents, source);

  // The default share leaves a relaxed run alone: 10 ms periods. The
  // quiet time is per CPU, and the 1 % case before this one may have left
  // up to 99 x its last work on it (tens of ms on the debug kernel, where
  // 7.3.4's first relaxed expiry fell into it): wait that out first. One
  // expiry may still be throttled: work measured across a stretch the host
  // did not run the vCPU counts whole (a callback "taking" over 5 ms).
  auto relaxed = Config(IRQBRIDGE_MODE_TASKLET, 10000000, 10, source);
  ASSERT_EQ(ReadLine(kIrqShare), "50") << "the default share";
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(Ioctl(s.fd.get(), IRQBRIDGE_IOC_CONFIGURE, &relaxed), 0);
  ASSERT_EQ(Ioctl0(s.fd.get(), IRQBRIDGE_IOC_START), 0);
  EXPECT_EQ(s.WaitCounted(10, std::chrono::seconds(60)), 10u);
  ASSERT_EQ(Ioctl0(s.fd.get(), IRQBRIDGE_IOC_STOP), 0);
  EXPECT_LE(Stats(s.fd.get()).throttled, 1u) << "a 10 ms run is far from half a CPU";

  ASSERT_NO_FATAL_FAILURE(RunAtOnePercent(s, c, kEvents));
  const irqbridge_stats st = Stats(s.fd.get());
  EXPECT_EQ(st.raised, kEvents);
  EXPECT_EQ(st.fired, kEvents);
  EXPECT_EQ(st.counted, kEvents);
  EXPECT_EQ(st.error, 0u);
  EXPECT_GE(st.throttled, kEvents / 2) << "the guard let expiries through";
  EXPECT_GE(st.timer_overruns, st.throttled) << "each throttle skips periods";
  if (source == kEdu) return;  // its top half runs on the MSI, elsewhere
  const auto recs = s.Records();
  ASSERT_EQ(recs.size(), kEvents);
  uint64_t early = 0;
  for (size_t i = 0; i + 1 < recs.size(); i++) {
    ASSERT_EQ(recs[i + 1].seq, recs[i].seq + 1);
    const uint64_t work = recs[i].top_ns - recs[i].raise_ns;
    if (recs[i + 1].raise_ns - recs[i].raise_ns < 99 * work) early++;
  }
  EXPECT_EQ(early, 0u) << "raises closer than 99 x the work before them";
}

std::string SourceName(const ::testing::TestParamInfo<uint32_t>& p) {
  constexpr std::array<const char*, IRQBRIDGE_SOURCE_MAX + 1> kNames = {"timer", "irqchip", "edu",
                                                                        "timer_soft"};
  return kNames.at(p.param);
}

INSTANTIATE_TEST_SUITE_P(Hardening, CpuTimeGuard,
                         ::testing::Values(kTimer, kChip, kEdu, IRQBRIDGE_SOURCE_TIMER_SOFT),
                         SourceName);

// The guard charges an expiry's lateness (up to 100 us) only where the
// interrupt took the CPU from a task: an expiry that comes late to an idle
// CPU (under TCG mostly the host not running the idle vCPU) took nobody's
// time. At a share of 1 % a charged lateness of L leaves the CPU quiet for
// 99 x L: past the next expiry of a 3 ms period where L is over about 30 us,
// as TCG's timer mostly is (and before this rule most expiries of an idle
// CPU were throttled here). The work's own time is still charged: a callback
// of w ns leaves 99 x w, a third of a 3 ms period where w is 10 us. Where
// the median work (the records' raise to top half) is longer than that (a
// slow kernel or a loaded host; the debug kernel skips the case, below), the
// case runs again at a period of 600 x that median, rounded up to a
// millisecond: the work alone then keeps the CPU quiet for a sixth of each
// period, with room for the median to move by half between the runs, and
// without the rule a lateness over 5 x the work would still throttle. The
// reader here blocks in poll(), so the timer's CPU is idle between expiries.
// A charge the rule keeps (the host stopping the vCPU in a callback, or
// while a task ran) throttles up to 3 expiries (99 x 100 us): at host load
// 11 the rule left at most 11 throttled of 100, the unfixed module 93-98
// (docs/data/guard-lateness-6.12.json).
class CpuTimeGuardIdle : public ::testing::TestWithParam<uint32_t> {};

struct IdleRun {
  irqbridge_stats st;
  uint64_t median_work;  // ns from raise to top half, over the run's records
};

void RunIdleAtOnePercent(Session& s, uint32_t source, uint64_t period_ns, uint64_t events,
                         IdleRun* out) {
  // Quiet time another run left (up to 99 x its last work) runs out first.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_NO_FATAL_FAILURE(
      RunAtOnePercent(s, Config(IRQBRIDGE_MODE_TASKLET, period_ns, events, source), events));
  out->st = Stats(s.fd.get());
  const auto recs = s.Records();
  ASSERT_EQ(recs.size(), events);
  std::vector<uint64_t> work;
  for (const auto& r : recs) work.push_back(r.top_ns - r.raise_ns);
  const auto mid = work.begin() + static_cast<std::ptrdiff_t>(work.size() / 2);
  std::nth_element(work.begin(), mid, work.end());
  out->median_work = *mid;
}

TEST_P(CpuTimeGuardIdle, ALateExpiryOnAnIdleCpuIsNotCharged) {
  const uint32_t source = GetParam();
  // On PREEMPT_RT a soft hrtimer's callback runs in the ktimers thread, so
  // the interrupted task is never the idle task there and the delay is
  // charged: the rule does not apply (reliability.md). Measured on 6.12-rt:
  // 99 of 100 throttled at a share of 1 %.
  if (source == IRQBRIDGE_SOURCE_TIMER_SOFT && RealtimeKernel())
    GTEST_SKIP() << "timer_soft on PREEMPT_RT: its callback runs in a thread, not on an idle CPU";
  // On the debug kernel (lockdep) the work of one callback varies too much
  // for the bound. Three runs there: both passed in the first (/timer
  // after a re-run at a longer period); /timer_soft throttled 53 of 100 in
  // the second and /timer 27 of 100 in the third, at median works that
  // fitted 3 ms.
  if (LockdepKernel())
    GTEST_SKIP() << "the lockdep kernel: a callback's work varies too much there for this bound";
  Session s(::open(kDevice, O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(s.fd) << std::strerror(errno);
  ASSERT_TRUE(s.Map());
  ASSERT_EQ(s.Attach(), 0);
  constexpr uint64_t kEvents = 100;
  constexpr uint64_t kMsNs = 1000000;
  constexpr uint64_t kMaxPeriodNs = 50 * kMsNs;
  uint64_t period_ns = 3 * kMsNs;
  IdleRun run{};
  ASSERT_NO_FATAL_FAILURE(RunIdleAtOnePercent(s, source, period_ns, kEvents, &run));
  if (99 * run.median_work * 3 > period_ns) {
    const uint64_t slow = (600 * run.median_work + kMsNs - 1) / kMsNs * kMsNs;
    ASSERT_LE(slow, kMaxPeriodNs) << "the raise's own work (median " << run.median_work
                                  << " ns) is far too long for this case";
    period_ns = std::max(slow, period_ns);
    ASSERT_NO_FATAL_FAILURE(RunIdleAtOnePercent(s, source, period_ns, kEvents, &run));
  }
  // In the XML report: which period ran, and what the guard did there.
  RecordProperty("period_ns", std::to_string(period_ns));
  RecordProperty("median_work_ns", std::to_string(run.median_work));
  RecordProperty("throttled", std::to_string(run.st.throttled));
  EXPECT_EQ(run.st.raised, kEvents);
  EXPECT_EQ(run.st.counted, kEvents);
  EXPECT_LE(run.st.throttled, kEvents / 4)
      << "expiries on an idle CPU throttled (median work " << run.median_work << " ns, period "
      << period_ns << " ns)";
}

INSTANTIATE_TEST_SUITE_P(Hardening, CpuTimeGuardIdle,
                         ::testing::Values(kTimer, IRQBRIDGE_SOURCE_TIMER_SOFT), SourceName);

// The share is a percent from 1 to 50: a machine cannot be handed to the
// module's interrupts.
TEST(Hardening, IrqShareIsAtMostHalf) {
  for (const char* bad : {"0", "51", "100", "-1", "x"}) {
    EXPECT_FALSE(WriteFile(kIrqShare, bad)) << bad;
    EXPECT_EQ(errno, EINVAL) << bad;
  }
  EXPECT_EQ(ReadLine(kIrqShare), "50");
  IrqShare share("10");
  EXPECT_TRUE(share.ok);
  EXPECT_EQ(ReadLine(kIrqShare), "10");
}

// A session's ring and inflight slots (about 7.5 MiB) are charged to the
// opener's memory cgroup: opening the device from a fresh cgroup raises its
// memory.current by at least the ring's size.
TEST(Hardening, SessionMemoryIsChargedToTheOpenersCgroup) {
  const std::string root = "/sys/fs/cgroup";
  if (ReadLine(root + "/cgroup.controllers").empty()) {
    ::mkdir(root.c_str(), 0755);
    if (::mount("cgroup2", root.c_str(), "cgroup2", 0, nullptr) != 0 &&
        ReadLine(root + "/cgroup.controllers").empty())
      GTEST_SKIP() << "no cgroup2: " << std::strerror(errno);
  }
  if (ReadLine(root + "/cgroup.controllers").find("memory") == std::string::npos)
    GTEST_SKIP() << "no memory controller";
  ASSERT_TRUE(WriteFile(root + "/cgroup.subtree_control", "+memory"));
  const std::string group = root + "/irqbridge-charge";
  ::rmdir(group.c_str());
  ASSERT_EQ(::mkdir(group.c_str(), 0755), 0) << std::strerror(errno);
  ASSERT_TRUE(WriteFile(group + "/cgroup.procs", std::to_string(::getpid())));
  const uint64_t before = std::stoull(ReadLine(group + "/memory.current"));
  uint64_t after = 0, ring_bytes = 0;
  {
    Fd fd = OpenDevice();
    ASSERT_TRUE(fd);
    ring_bytes = Info(fd.get()).ring_bytes;
    after = std::stoull(ReadLine(group + "/memory.current"));
  }
  EXPECT_TRUE(WriteFile(root + "/cgroup.procs", std::to_string(::getpid())));
  ::rmdir(group.c_str());
  EXPECT_GE(after - before, ring_bytes)
      << "memory.current " << before << " -> " << after << " for a ring of " << ring_bytes;
}

// ---------------------------------------------------------------------------
// 6. The irqchip lines: their affinity is the module's (one per CPU).

std::vector<int> IrqsNamed(const std::string& name) {
  std::ifstream in("/proc/interrupts");
  std::vector<int> irqs;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(name) == std::string::npos) continue;
    irqs.push_back(std::atoi(line.c_str()));
  }
  return irqs;
}

// irqbalance and a root write to smp_affinity would move a line away from
// the CPU whose timer raises it. IRQ_NO_BALANCING: the kernel refuses the
// write (EPERM on 6.12, seen in the test box; older kernels said EIO).
// Both sets: the level lines and the storm's MSI-like lines.
TEST(Hardening, IrqchipAffinityCannotBeChangedFromUserspace) {
  const auto level = IrqsNamed("irqbridge-irqchip");
  const auto storm = IrqsNamed("irqbridge-storm");
  ASSERT_FALSE(level.empty()) << "no irqbridge-irqchip line in /proc/interrupts";
  ASSERT_EQ(storm.size(), level.size()) << "a storm line per level line";
  std::vector<int> irqs = level;
  irqs.insert(irqs.end(), storm.begin(), storm.end());
  for (int irq : irqs) {
    for (const char* file : {"smp_affinity", "smp_affinity_list"}) {
      const std::string path = "/proc/irq/" + std::to_string(irq) + "/" + file;
      Fd f(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
      ASSERT_TRUE(f) << path << ": " << std::strerror(errno);
      const char* value = std::string(file) == "smp_affinity" ? "1\n" : "0\n";
      errno = 0;
      EXPECT_EQ(::write(f.get(), value, std::strlen(value)), -1) << path << " accepted a new mask";
      EXPECT_TRUE(errno == EPERM || errno == EIO) << path << ": " << std::strerror(errno);
    }
  }
}

// ---------------------------------------------------------------------------
// 2. The edu device removed during a run (IRQBRIDGE_REMOVAL=1 only).

bool RemovalAllowed() {
  const char* v = std::getenv("IRQBRIDGE_REMOVAL");
  return v != nullptr && std::string(v) == "1";
}

// The edu devices present, as sysfs directories.
std::vector<std::string> EduDevices() {
  std::vector<std::string> out;
  DIR* d = ::opendir("/sys/bus/pci/devices");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string dir = std::string("/sys/bus/pci/devices/") + e->d_name;
    if (ReadLine(dir + "/vendor") == "0x1234" && ReadLine(dir + "/device") == "0x11e8")
      out.push_back(dir);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t IrqTotal(int irq) {
  std::ifstream in("/proc/interrupts");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string head;
    ls >> head;
    if (head != std::to_string(irq) + ":") continue;
    uint64_t sum = 0, v = 0;
    while (ls >> v) sum += v;
    return sum;
  }
  return 0;
}

class EduRemovalTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override {
    if (!RemovalAllowed()) GTEST_SKIP() << "IRQBRIDGE_REMOVAL=1 not set (remove.sh sets it)";
    devices_ = EduDevices();
    if (devices_.empty()) GTEST_SKIP() << "no edu device";
    Fd probe = OpenDevice();
    ASSERT_TRUE(probe);
    if (!(Info(probe.get()).modes & (1u << GetParam()))) GTEST_SKIP() << "mode not offered";
  }

  void TearDown() override {
    // gtest runs TearDown after a skipped SetUp too: nothing was removed.
    if (devices_.empty() || IsSkipped()) return;
    // Rescan: every edu device comes back and the source works again.
    ASSERT_TRUE(WriteFile("/sys/bus/pci/rescan", "1"));
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (EduDevices().size() < devices_.size() && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(EduDevices().size(), devices_.size()) << "rescan did not bring the device back";
    ExpectExactRun(GetParam(), 100);
  }

  // A short run on edu that must complete exactly.
  static void ExpectExactRun(uint32_t mode, uint64_t events) {
    Session s(::open(kDevice, O_RDWR | O_CLOEXEC));
    ASSERT_TRUE(s.fd);
    ASSERT_TRUE(Info(s.fd.get()).sources & (1u << kEdu)) << "edu source gone after rescan";
    ASSERT_EQ(s.Attach(), 0);
    auto c = Config(mode, 200000, events, kEdu);
    ASSERT_EQ(Ioctl(s.fd.get(), IRQBRIDGE_IOC_CONFIGURE, &c), 0);
    ASSERT_EQ(Ioctl0(s.fd.get(), IRQBRIDGE_IOC_START), 0);
    EXPECT_EQ(s.WaitCounted(events, std::chrono::seconds(60)), events);
    ASSERT_EQ(Ioctl0(s.fd.get(), IRQBRIDGE_IOC_STOP), 0);
    const irqbridge_stats st = Stats(s.fd.get());
    EXPECT_EQ(st.raised, events);
    EXPECT_EQ(st.fired, events);
    EXPECT_EQ(st.counted, events);
    EXPECT_EQ(st.error, 0u);
  }

  // The session's device: the one whose interrupt count moves while the
  // session runs.
  std::string DeviceInUse(Session& s) {
    std::vector<uint64_t> before;
    for (const auto& d : devices_)
      before.push_back(IrqTotal(std::atoi(ReadLine(d + "/irq").c_str())));
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    std::string diag;
    while (Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      diag.clear();
      for (size_t i = 0; i < devices_.size(); i++) {
        const std::string irq = ReadLine(devices_[i] + "/irq");
        const uint64_t now = IrqTotal(std::atoi(irq.c_str()));
        diag += "; " + devices_[i] + " irq " + irq + " " + std::to_string(before[i]) + " -> " +
                std::to_string(now);
        if (now > before[i]) return devices_[i];
      }
    }
    const irqbridge_stats st = Stats(s.fd.get());
    ADD_FAILURE() << "no edu interrupt in 30 s" << diag << " (raised " << st.raised << ", fired "
                  << st.fired << ", counted " << st.counted << ", running " << st.running
                  << ", error " << st.error << ")";
    return {};
  }

  static bool Remove(const std::string& dir) { return WriteFile(dir + "/remove", "1"); }

  // Counts after STOP: consistent whatever happened.
  static void ExpectConsistent(int fd) {
    const irqbridge_stats st = Stats(fd);
    EXPECT_EQ(st.raised, st.fired);
    EXPECT_EQ(st.fired, st.counted);
    EXPECT_EQ(st.running, 0u);
  }

  std::unique_ptr<Session> Running(uint32_t mode) {
    auto s = std::make_unique<Session>(::open(kDevice, O_RDWR | O_CLOEXEC));
    EXPECT_TRUE(s->fd);
    EXPECT_TRUE(s->Map());
    EXPECT_EQ(s->Attach(), 0);
    auto c = Config(mode, 50000, IRQBRIDGE_EVENTS_MAX, kEdu);
    EXPECT_EQ(Ioctl(s->fd.get(), IRQBRIDGE_IOC_CONFIGURE, &c), 0);
    EXPECT_EQ(Ioctl0(s->fd.get(), IRQBRIDGE_IOC_START), 0);
    return s;
  }

  // The setup of the Stopping and Closing cases: a run on the device in
  // use, and a thread (joined by the caller) that removes that device while
  // the test body races its own step against it.
  void RunningWithRemover(std::unique_ptr<Session>* s, std::thread* remover) {
    *s = Running(GetParam());
    const std::string used = DeviceInUse(**s);
    ASSERT_FALSE(used.empty());
    *remover = std::thread([used] { EXPECT_TRUE(Remove(used)); });
  }

  std::vector<std::string> devices_;
};

// Configured, then the device goes: START takes the next edu device, or
// says ENODEV when there is none.
TEST_P(EduRemovalTest, RemovedWhileConfigured) {
  auto s = Running(GetParam());
  const std::string used = DeviceInUse(*s);
  ASSERT_FALSE(used.empty());
  ASSERT_EQ(Ioctl0(s->fd.get(), IRQBRIDGE_IOC_STOP), 0);
  ASSERT_TRUE(Remove(used));
  const int ret = Ioctl0(s->fd.get(), IRQBRIDGE_IOC_START);
  if (devices_.size() > 1) {
    ASSERT_EQ(ret, 0) << "the second edu device was not taken";
    uint64_t drain = 0;
    while (::read(s->efd.get(), &drain, sizeof(drain)) == sizeof(drain)) {
    }
    EXPECT_GE(s->WaitCounted(50, std::chrono::seconds(60)), 50u);
    ASSERT_EQ(Ioctl0(s->fd.get(), IRQBRIDGE_IOC_STOP), 0);
    ExpectConsistent(s->fd.get());
    EXPECT_EQ(Stats(s->fd.get()).error, 0u);
  } else {
    EXPECT_EQ(ret, ENODEV);
  }
}

// Running: the run ends by itself with error ENODEV, counts consistent.
TEST_P(EduRemovalTest, RemovedWhileRunning) {
  auto s = Running(GetParam());
  const std::string used = DeviceInUse(*s);
  ASSERT_FALSE(used.empty());
  ASSERT_TRUE(Remove(used));
  irqbridge_stats st{};
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  do {
    st = Stats(s->fd.get());
  } while ((st.error == 0 || st.running) && Clock::now() < deadline);
  EXPECT_EQ(st.error, static_cast<uint32_t>(ENODEV));
  EXPECT_EQ(st.running, 0u) << "the run did not end";
  ASSERT_EQ(Ioctl0(s->fd.get(), IRQBRIDGE_IOC_STOP), 0);
  ExpectConsistent(s->fd.get());
}

// STOP and the removal race.
TEST_P(EduRemovalTest, RemovedWhileStopping) {
  std::unique_ptr<Session> s;
  std::thread remover;
  ASSERT_NO_FATAL_FAILURE(RunningWithRemover(&s, &remover));
  EXPECT_EQ(Ioctl0(s->fd.get(), IRQBRIDGE_IOC_STOP), 0);
  remover.join();
  ExpectConsistent(s->fd.get());
}

// close() and the removal race.
TEST_P(EduRemovalTest, RemovedWhileClosing) {
  std::unique_ptr<Session> s;
  std::thread remover;
  ASSERT_NO_FATAL_FAILURE(RunningWithRemover(&s, &remover));
  s.reset();
  remover.join();
}

// START and the removal race: the timer must never raise a removed device.
TEST_P(EduRemovalTest, RemovedWhileStarting) {
  auto s = Running(GetParam());
  const std::string used = DeviceInUse(*s);
  ASSERT_FALSE(used.empty());
  ASSERT_EQ(Ioctl0(s->fd.get(), IRQBRIDGE_IOC_STOP), 0);
  std::thread remover([&] { EXPECT_TRUE(Remove(used)); });
  for (int i = 0; i < 20; i++) {
    const int ret = Ioctl0(s->fd.get(), IRQBRIDGE_IOC_START);
    EXPECT_TRUE(ret == 0 || ret == ENODEV) << std::strerror(ret);
    if (ret == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    EXPECT_EQ(Ioctl0(s->fd.get(), IRQBRIDGE_IOC_STOP), 0);
    ExpectConsistent(s->fd.get());
  }
  remover.join();
}

INSTANTIATE_TEST_SUITE_P(Modes, EduRemovalTest,
                         ::testing::Values(IRQBRIDGE_MODE_TASKLET, IRQBRIDGE_MODE_WORKQUEUE,
                                           IRQBRIDGE_MODE_TASKLET_HI, IRQBRIDGE_MODE_WQ_HIGHPRI,
                                           IRQBRIDGE_MODE_WQ_UNBOUND, IRQBRIDGE_MODE_BH_WQ,
                                           IRQBRIDGE_MODE_THREADED, IRQBRIDGE_MODE_DPC_WORKITEM,
                                           IRQBRIDGE_MODE_DIRECT),
                         ModeParamName);

}  // namespace
