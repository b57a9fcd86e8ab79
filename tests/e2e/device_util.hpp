// Helpers shared by the device_test binary's suites (device_test.cpp,
// device_hardening_test.cpp): ioctl() returning the errno, a config, the
// stats and info of a session, opening the device, the monotonic clock,
// whether the kernel is PREEMPT_RT.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <uapi/irqbridge.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "irqbridge/sys/mapping.hpp"
#include "irqbridge/sys/unique_fd.hpp"

namespace irqbridge::e2e {

inline constexpr const char* kDevice = "/dev/irqbridge";

using Fd = irqbridge::UniqueFd;

// ioctl() returning 0 or the errno, so EXPECT_EQ shows the errno by value.
template <typename Arg>
int Ioctl(int fd, unsigned long request, Arg arg) {
  return ::ioctl(fd, request, arg) == 0 ? 0 : errno;
}

inline int Ioctl0(int fd, unsigned long request) {
  return ::ioctl(fd, request, 0) == 0 ? 0 : errno;
}

inline irqbridge_config Config(uint32_t mode, uint64_t period_ns, uint64_t events,
                               uint32_t source = IRQBRIDGE_SOURCE_TIMER, uint32_t work_ns = 0,
                               uint32_t burst = 1) {
  irqbridge_config c{};
  c.size = sizeof(c);
  c.burst = burst;
  c.mode = mode;
  c.period_ns = period_ns;
  c.events = events;
  c.source = source;
  c.work_ns = work_ns;
  return c;
}

inline irqbridge_stats Stats(int fd) {
  irqbridge_stats st{};
  EXPECT_EQ(Ioctl(fd, IRQBRIDGE_IOC_GET_STATS, &st), 0);
  return st;
}

inline irqbridge_info Info(int fd) {
  irqbridge_info info{};
  EXPECT_EQ(Ioctl(fd, IRQBRIDGE_IOC_GET_INFO, &info), 0);
  return info;
}

inline Fd OpenDevice() {
  Fd fd(::open(kDevice, O_RDWR | O_CLOEXEC));
  EXPECT_TRUE(fd) << kDevice << ": " << std::strerror(errno);
  return fd;
}

inline uint64_t MonotonicNs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ULL + uint64_t(ts.tv_nsec);
}

// The record slots of a mapped ring (after its header page).
inline const irqbridge_record* RingSlots(const Mapping& ring) {
  return reinterpret_cast<const irqbridge_record*>(ring.bytes().data() +
                                                   IRQBRIDGE_RING_RECORDS_OFFSET);
}

// A kernel with lockdep (the debug kernel, PROVE_LOCKING): it keeps
// /proc/lockdep_stats.
inline bool LockdepKernel() { return ::access("/proc/lockdep_stats", F_OK) == 0; }

// PREEMPT_RT: the kernel's version string says so ("... SMP PREEMPT_RT ...",
// on every RT kernel); 6.12-rt also has /sys/kernel/realtime (reading 1),
// which 7.x-rt no longer has.
inline bool RealtimeKernel() {
  utsname u{};
  if (uname(&u) == 0 && std::strstr(u.version, "PREEMPT_RT") != nullptr) return true;
  FILE* f = std::fopen("/sys/kernel/realtime", "r");
  if (f == nullptr) return false;
  int v = 0;
  const bool rt = std::fscanf(f, "%d", &v) == 1 && v == 1;
  std::fclose(f);
  return rt;
}

}  // namespace irqbridge::e2e
