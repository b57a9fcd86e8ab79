// One run of one mode against the device: configure, start, wait for every
// event, stop, collect. The I/O half of the reader.
#pragma once

#include <sched.h>

#include <atomic>
#include <cstdint>
#include <functional>

#include "irqbridge/abi/device.hpp"
#include "irqbridge/abi/modes.hpp"
#include "irqbridge/analysis/analysis.hpp"
#include "irqbridge/report/progress.hpp"
#include "irqbridge/report/report.hpp"
#include "irqbridge/run/waiter/waiter.hpp"

namespace irqbridge {

// What the module does with per-event records (IRQBRIDGE_CONFIG_* flags).
enum class Records {
  kRead,    // written and delivered to the reader: every run but the bench's
  kUnread,  // written, never copied out (RECORDS_UNREAD): the bench's probe
  kOff,     // not written (NO_RECORDS): counts only
};

struct RunSettings {
  const ModeInfo* mode = nullptr;
  const SourceInfo* source = nullptr;  // the effective source
  std::uint64_t period_ns = 1000000;
  std::uint64_t events = 1000;
  std::uint32_t work_ns = 0;
  std::uint32_t sleep_us = 0;
  std::uint32_t burst = 1;  // top halves per timer expiry (an interrupt storm)
  ReaderVariant reader = ReaderVariant::uring_read;
  std::uint64_t warmup = 0;                    // first events left out of the latencies
  int timer_cpu = -1;                          // START from this CPU: the pinned hrtimer runs there
  Records records = Records::kRead;            // per-event records (the bench turns them off)
  unsigned run = 0;                            // repetition number, for the outliers
  std::size_t outliers = 5;                    // worst events explained
  std::int64_t threshold_ns = 0;               // and every event above this (0: none)
  std::string label;                           // for the progress line
  std::atomic<std::uint64_t>* done = nullptr;  // if set: events read so far, for a watcher
};

// How start_on_cpu reads and sets the calling thread's affinity (a seam
// for tests); each returns 0 or -1 with errno set, like the syscalls.
struct AffinityOps {
  std::function<int(cpu_set_t&)> get;
  std::function<int(const cpu_set_t&)> set;
};
AffinityOps system_affinity();

// start() from cpu (the module's hrtimer is pinned to the CPU that armed
// it), then back to the thread's previous CPUs; cpu < 0: start() where the
// thread is. If start() throws, the affinity is restored and the error
// propagates (nothing was started). If the affinity cannot be restored
// after start(), stop() is called and FatalError thrown: no timer is left
// running and no sweep goes on with a reader pinned to the wrong CPU.
void start_on_cpu(int cpu, const std::function<void()>& start, const std::function<void()>& stop,
                  const AffinityOps& ops = system_affinity());

// Runs once. Memory stays bounded however many events: records are joined
// with wake-ups as they arrive. sink (optional) sees every event that
// reached the reader (raw samples).
RunResult run_once(Device& device, const RunSettings& settings, Progress& progress,
                   const Analyzer::EventSink& sink = {});

}  // namespace irqbridge
