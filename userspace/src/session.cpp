#include "irqbridge/session.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include "irqbridge/analysis.hpp"
#include "irqbridge/error.hpp"
#include "irqbridge/eventfd_waiter.hpp"
#include "irqbridge/ring.hpp"

namespace irqbridge {
namespace {

std::uint64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
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

}  // namespace

ModeResult run_mode(Device& device, const RunSettings& s, Progress& progress) {
  Mapping mapping = device.map_ring();
  RingView ring(mapping.bytes());
  EventfdWaiter waiter;
  device.set_eventfd(waiter.eventfd());

  irqbridge_config config{};
  config.size = sizeof(config);
  config.mode = s.mode->id;
  config.source = s.source->id;
  config.period_ns = s.period_ns;
  config.events = s.events;
  config.work_ns = s.work_ns;
  config.sleep_us = s.sleep_us;
  device.configure(config);

  std::vector<irqbridge_record> records;
  records.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(s.events, 1U << 24)));
  std::vector<Wakeup> wakeups;
  std::uint64_t total = 0;
  // A silent source is an error, not a hang.
  const auto timeout = std::chrono::milliseconds(
      std::max<std::uint64_t>(2000, 50 * s.period_ns / 1000000 + std::uint64_t{s.sleep_us} / 20));

  progress.begin(std::string(s.mode->name), s.events);
  device.start();
  RunGuard guard(device);
  while (total < s.events) {
    auto value = waiter.wait(timeout);
    if (!value) {
      irqbridge_stats st = device.stats();
      throw Error(std::string(s.mode->name) + ": no event for " + std::to_string(timeout.count()) +
                  " ms after " + std::to_string(total) + " of " + std::to_string(s.events) +
                  " (module: raised " + std::to_string(st.raised) + ", fired " +
                  std::to_string(st.fired) + ", counted " + std::to_string(st.counted) + ")");
    }
    const std::uint64_t now = monotonic_ns();
    total += *value;
    wakeups.push_back({total, now});
    ring.drain(records);
    progress.update(total);
  }
  guard.disarm();
  device.stop();
  progress.end();

  irqbridge_stats kernel = device.stats();
  ring.drain(records);  // STOP flushed the bottom half: every record is in.
  device.set_eventfd(-1);

  Analysis analysis = analyze(records, wakeups, s.mode->chain);
  return make_result(std::string(s.mode->name), std::string(s.source->name), kernel, total,
                     wakeups.size(), ring.overruns(), std::move(analysis), s.mode->chain);
}

}  // namespace irqbridge
