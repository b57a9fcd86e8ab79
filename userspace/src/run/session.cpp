#include "irqbridge/run/session.hpp"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "irqbridge/abi/ring.hpp"
#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/signal_cleanup.hpp"

namespace irqbridge {
namespace {

// How often a waiting reader asks the module whether the run ended early.
constexpr std::chrono::milliseconds kErrorCheck{250};

std::uint64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

// CPU time (user + system) of the calling thread.
std::uint64_t thread_cpu_ns() {
  rusage ru{};
  ::getrusage(RUSAGE_THREAD, &ru);
  auto ns = [](const timeval& tv) {
    return static_cast<std::uint64_t>(tv.tv_sec) * 1000000000ULL +
           static_cast<std::uint64_t>(tv.tv_usec) * 1000ULL;
  };
  return ns(ru.ru_utime) + ns(ru.ru_stime);
}

// Stops the run if anything below throws, so the timer never outlives us.
class RunGuard {
 public:
  explicit RunGuard(Device& device) : device_(device) {}
  RunGuard(const RunGuard&) = delete;
  RunGuard& operator=(const RunGuard&) = delete;
  RunGuard(RunGuard&&) = delete;
  RunGuard& operator=(RunGuard&&) = delete;
  ~RunGuard() {
    if (armed_) {
      try {
        device_.stop();
      } catch (const Error&) {
      }
    }
  }
  void disarm() { armed_ = false; }

 private:
  Device& device_;
  bool armed_ = true;
};

// Puts the thread's affinity back when it leaves scope (START threw).
class AffinityRestore {
 public:
  AffinityRestore(const AffinityOps& ops, const cpu_set_t& before) : ops_(ops), before_(before) {}
  AffinityRestore(const AffinityRestore&) = delete;
  AffinityRestore& operator=(const AffinityRestore&) = delete;
  AffinityRestore(AffinityRestore&&) = delete;
  AffinityRestore& operator=(AffinityRestore&&) = delete;
  ~AffinityRestore() {
    if (armed_) static_cast<void>(ops_.set(before_));
  }
  // Restores now; returns the errno of a failure, 0 on success.
  int restore_now() {
    armed_ = false;
    return ops_.set(before_) == 0 ? 0 : errno;
  }

 private:
  const AffinityOps& ops_;
  cpu_set_t before_;
  bool armed_ = true;
};

}  // namespace

AffinityOps system_affinity() {
  return {[](cpu_set_t& set) { return ::sched_getaffinity(0, sizeof(set), &set); },
          [](const cpu_set_t& set) { return ::sched_setaffinity(0, sizeof(set), &set); }};
}

void start_on_cpu(int cpu, const std::function<void()>& start, const std::function<void()>& stop,
                  const AffinityOps& ops) {
  if (cpu < 0) {
    start();
    return;
  }
  cpu_set_t before;
  CPU_ZERO(&before);
  if (ops.get(before) != 0) throw_errno("sched_getaffinity");
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(static_cast<std::size_t>(cpu), &one);
  if (ops.set(one) != 0)
    throw_errno("cannot move to CPU " + std::to_string(cpu) + " to start the timer there");
  AffinityRestore restore(ops, before);
  start();  // throws: restore puts the thread back, nothing runs
  if (const int err = restore.restore_now(); err != 0) {
    // The timer runs, and this thread is stuck on its CPU: stop the
    // timer and give up the whole command, not just this run.
    try {
      stop();
    } catch (const Error&) {
    }
    throw FatalError("cannot move the reader back from CPU " + std::to_string(cpu) +
                     " after starting the timer (" + std::strerror(err) +
                     "): timer stopped, giving up");
  }
}

RunResult run_once(Device& device, const RunSettings& s, Progress& progress,
                   const Analyzer::EventSink& sink) {
  Mapping mapping = device.map_ring();
  RingView ring(mapping.bytes());
  auto waiter = make_waiter(s.reader);
  device.set_eventfd(waiter->eventfd());
  waiter->attach_device(device.fd());

  irqbridge_config config{};
  config.size = sizeof(config);
  config.mode = s.mode->id;
  config.source = s.source->id;
  config.period_ns = s.period_ns;
  config.events = s.events;
  config.work_ns = s.work_ns;
  config.sleep_us = s.sleep_us;
  config.burst = s.burst;
  config.flags = s.records == Records::kOff      ? IRQBRIDGE_CONFIG_NO_RECORDS
                 : s.records == Records::kUnread ? IRQBRIDGE_CONFIG_RECORDS_UNREAD
                                                 : 0U;
  device.configure(config);

  RunResult result;
  result.outliers = OutlierTracker(s.outliers, s.threshold_ns, s.warmup, s.mode->chain);
  Analyzer analyzer(
      s.mode->chain, s.warmup,
      [&](const irqbridge_record& r, std::uint64_t user) {
        result.outliers.add(s.run, r, user);
        if (sink) sink(r, user);
      },
      s.records == Records::kRead);
  std::vector<irqbridge_record> batch;
  // Room for what a wake-up usually finds, allocated before the run; a
  // reader that falls far behind grows it once. (The whole ring's worth,
  // 3.5 MiB, would be locked per reader thread under mlockall.)
  batch.reserve(std::min<std::size_t>(ring.capacity(), 4096));
  auto feed = [&] {
    batch.clear();
    ring.drain(batch);
    analyzer.add_records(batch);
  };

  // A silent source is an error, not a hang.
  const auto timeout = std::chrono::milliseconds(
      std::max<std::uint64_t>(2000, 50 * s.period_ns / 1000000 + std::uint64_t{s.sleep_us} / 20));

  progress.begin(s.label.empty() ? std::string(s.mode->name) : s.label, s.events);
  const std::uint64_t cpu_before = thread_cpu_ns();
  const std::uint64_t helper_before = waiter->helper_cpu_ns();
  // Armed before START: a signal, or anything below that throws, stops it.
  const StopOnSignal on_signal(device.fd());
  RunGuard guard(device);
  start_on_cpu(
      s.timer_cpu, [&] { device.start(); }, [&] { device.stop(); });
  // Waits in slices: a run the module ended early (its device removed)
  // is reported within a slice, not after the whole timeout.
  const auto slice = std::min(timeout, kErrorCheck);
  auto silent = std::chrono::milliseconds(0);
  while (result.reader_total < s.events) {
    auto value = waiter->wait(slice);
    if (!value) {
      silent += slice;
      irqbridge_stats st = device.stats();
      if (st.error != 0)
        throw Error(std::string(s.mode->name) + ": the run ended early after " +
                    std::to_string(result.reader_total) + " of " + std::to_string(s.events) +
                    " events: " +
                    (st.error == ENODEV ? std::string("the source's device was removed")
                                        : std::strerror(static_cast<int>(st.error))) +
                    " (module: raised " + std::to_string(st.raised) + ", fired " +
                    std::to_string(st.fired) + ", counted " + std::to_string(st.counted) + ")");
      if (silent < timeout) continue;
      throw Error(std::string(s.mode->name) + ": no event for " + std::to_string(timeout.count()) +
                  " ms after " + std::to_string(result.reader_total) + " of " +
                  std::to_string(s.events) + " (module: raised " + std::to_string(st.raised) +
                  ", fired " + std::to_string(st.fired) + ", counted " +
                  std::to_string(st.counted) + ")");
    }
    silent = std::chrono::milliseconds(0);
    const std::uint64_t now = monotonic_ns();
    result.reader_total += *value;
    result.wakeups++;
    analyzer.add_wakeup({result.reader_total, now});
    feed();
    progress.update(result.reader_total);
    if (s.done != nullptr) s.done->store(result.reader_total, std::memory_order_relaxed);
  }
  guard.disarm();
  device.stop();
  // The reader's CPU time includes its variant's helper thread, if any.
  result.reader_cpu_ns = thread_cpu_ns() - cpu_before + (waiter->helper_cpu_ns() - helper_before);
  progress.end();

  result.kernel = device.stats();
  result.cost = device.cost();
  feed();  // STOP flushed the bottom half: every record is in.
  result.ring_overruns = ring.overruns();
  device.set_eventfd(-1);
  result.analysis = analyzer.finish();
  return result;
}

}  // namespace irqbridge
