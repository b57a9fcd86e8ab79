#include "irqbridge/run/percpu.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "irqbridge/run/reader_thread.hpp"
#include "irqbridge/sys/reader_setup.hpp"

namespace irqbridge {

std::uint64_t resident_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  return 0;
}

std::vector<RunResult> run_per_cpu(const Device& device, const RunSettings& settings,
                                   std::span<const int> cpus, const ReaderSettings& reader,
                                   Progress& progress, const Analyzer::EventSink& sink,
                                   std::uint64_t* peak_rss_kb) {
  const std::size_t n = cpus.size();
  // Channels first: a refusal (too many, old module) stops before any run.
  std::vector<Device> channels;
  channels.reserve(n);
  for (std::size_t i = 0; i < n; i++) channels.push_back(device.new_channel());

  std::vector<RunResult> results(n);
  std::vector<std::exception_ptr> errors(n);
  auto done = std::make_unique<std::atomic<std::uint64_t>[]>(n);
  std::atomic<std::size_t> finished{0};
  std::mutex sink_lock;
  Analyzer::EventSink locked_sink;
  if (sink)
    locked_sink = [&](const irqbridge_record& r, std::uint64_t user) {
      const std::lock_guard lock(sink_lock);
      sink(r, user);
    };

  {
    // Small stacks: under mlockall each thread's whole stack is resident.
    std::vector<ReaderThread> threads;
    threads.reserve(n);
    for (std::size_t i = 0; i < n; i++) {
      threads.emplace_back([&, i] {
        try {
          ReaderSettings mine = reader;
          mine.cpu = cpus[i];
          mine.mlockall = false;  // process-wide: the caller has done it
          apply_reader_settings(mine);
          RunSettings s = settings;
          s.timer_cpu = cpus[i];
          s.done = &done[i];
          Progress quiet(false);
          results[i] = run_once(channels[i], s, quiet, locked_sink);
          results[i].cpu = cpus[i];
        } catch (...) {
          errors[i] = std::current_exception();
        }
        finished.fetch_add(1, std::memory_order_release);
      });
    }
    progress.begin(settings.label.empty() ? std::string(settings.mode->name) : settings.label,
                   settings.events * n);
    while (finished.load(std::memory_order_acquire) < n) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::uint64_t sum = 0;
      for (std::size_t i = 0; i < n; i++) sum += done[i].load(std::memory_order_relaxed);
      progress.update(sum);
      if (peak_rss_kb != nullptr) *peak_rss_kb = std::max(*peak_rss_kb, resident_kb());
    }
    progress.end();
  }  // joins

  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return results;
}

}  // namespace irqbridge
