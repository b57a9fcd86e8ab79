// One run of one mode on several CPUs at once, as cyclictest --smp does for
// timers: per CPU a channel of the module (its own pinned hrtimer, bottom
// half, eventfd and ring) and a reader thread pinned to that CPU.
#pragma once

#include <span>
#include <vector>

#include "irqbridge/run/session.hpp"

namespace irqbridge {

// Runs settings on every CPU of cpus at once; each reader thread gets
// reader's policy and priority and is pinned to its CPU, which also starts
// its timer there. Returns one result per CPU (RunResult::cpu set), in the
// order of cpus. sink, if set, is called under a lock. peak_rss_kb, if
// set, gets the largest resident set seen while the readers ran (sampled
// every 100 ms). Throws the first reader's error after every thread has
// finished.
std::vector<RunResult> run_per_cpu(const Device& device, const RunSettings& settings,
                                   std::span<const int> cpus, const ReaderSettings& reader,
                                   Progress& progress, const Analyzer::EventSink& sink = {},
                                   std::uint64_t* peak_rss_kb = nullptr);

// The calling process's resident set (VmRSS), 0 if unknown.
std::uint64_t resident_kb();

}  // namespace irqbridge
