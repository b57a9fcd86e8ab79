// irqbridge bench: the figures of `make bench`.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "irqbridge/run/bench.hpp"
#include "irqbridge/run/percpu.hpp"
#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/reader_setup.hpp"

namespace irqbridge::cli {

namespace {

// The mode the per-event costs are measured with: the tasklet (the DPC)
// when it was asked for, else the first mode.
const ModeInfo& cost_mode(const std::vector<const ModeInfo*>& modes) {
  for (const ModeInfo* m : modes)
    if (m->name == "tasklet") return *m;
  return *modes.front();
}

// 1-3: the rate search, the top half's cost, the reader variants' cost.
void measure_single_cpu(const BenchOptions& o, const std::vector<const ModeInfo*>& modes,
                        Device& device, BenchReport& report, Progress& progress) {
  const std::vector<std::uint64_t>& periods = o.periods_ns;
  const ModeInfo& cm = cost_mode(modes);
  // 1. The highest rate each mode sustains: down the periods until one is
  // not sustained.
  for (const ModeInfo* m : o.costs_only ? std::vector<const ModeInfo*>{} : modes) {
    for (std::uint64_t period : periods) {
      report.rate_search.push_back(run_point(device, o.run, *m, period, progress));
      if (!sustained(report.rate_search.back())) break;
    }
  }

  // 2. The top half with per-event records, with records written but never
  // read, and without, at a rate every mode sustains under TCG: in
  // --records-pairs groups of one run each, neighbours in time so that a slow
  // stretch of the host weighs on the whole group, the order rotating from
  // group to group so that no kind always runs first.
  constexpr std::array<Records, 3> kinds = {Records::kRead, Records::kUnread, Records::kOff};
  for (unsigned g = 0; g < o.records_pairs; g++) {
    for (unsigned i = 0; i < kinds.size(); i++) {
      const Records kind = kinds[(g + i) % kinds.size()];
      SweepPoint p = run_point(device, o.run, cm, report.top_half_period_ns, progress, kind);
      if (!p.error.empty()) throw Error("top-half cost run failed: " + p.error);
      report.top_half.push_back({std::string(cm.name), kind, p.cost});
    }
  }

  // 3. Reader CPU time per wake-up, each variant, one event per wake-up.
  for (ReaderVariant v : all_variants()) {
    RunShaping ov = o.run;
    ov.reader = v;
    SweepPoint p = run_point(device, ov, cm, report.reader_period_ns, progress);
    if (!p.error.empty()) throw Error("reader cost run failed: " + p.error);
    report.readers.push_back({std::string(variant_name(v)), p.wakeups, p.reader_cpu_ns, p.exact()});
  }
}

// 4. The reader on 1, 2 and every CPU at once: what it costs as CPUs grow.
void measure_cpu_scaling(const RunShaping& o, const ModeInfo& cm, Device& device,
                         BenchReport& report, Progress& progress) {
  for (unsigned n : scaling_steps(report.cpus)) {
    std::vector<int> cpus;
    for (unsigned c = 0; c < n; c++) cpus.push_back(static_cast<int>(c));
    RunSettings s = run_settings(o, cm, report.reader_period_ns);
    s.label = fmt::format("{} on {} CPU(s)", cm.name, n);
    CpuScaling sc;
    sc.mode = cm.name;
    sc.cpus = n;
    sc.ring_bytes = n * device.info().ring_bytes;
    auto runs = run_per_cpu(device, s, cpus, report.reader, progress, {}, &sc.rss_kb);
    Counts total;
    for (const auto& r : runs) {
      total += r;
      sc.exact = sc.exact && r.kernel.fired == o.events;
    }
    sc.events = total.reader_total;
    sc.wakeups = total.wakeups;
    sc.reader_cpu_ns = total.reader_cpu_ns;
    sc.exact = sc.exact && total.exact();
    report.cpu_scaling.push_back(sc);
  }
}

// One mode's storm run: kStormEvents top halves, the options' burst every
// period. The edu device holds one interrupt at a time: its storm is the
// irqchip's.
RunSettings storm_settings(const RunShaping& o, const ModeInfo& m, std::uint64_t period) {
  RunShaping os = o;
  os.events = kStormEvents;
  if (os.source == "edu") os.source = "irqchip";
  return run_settings(os, m, period);
}

// What a storm entry says of its run before it ran: mode, source, period,
// burst and events; cpu on a run on every CPU, else -1.
StormPoint storm_point(const ModeInfo& m, const RunSettings& s, std::uint64_t period,
                       int cpu = -1) {
  StormPoint p;
  p.mode = m.name;
  p.cpu = cpu;
  p.source = s.source->name;
  p.period_ns = period;
  p.burst = s.burst;
  p.events = s.events;
  return p;
}

// 5. The storm: each expiry raises a burst of top halves back to back;
// per mode, what it absorbs with exact counts, its batches and (softirq
// modes) whether ksoftirqd took the bottom halves over.
void measure_storm(const RunShaping& o, const std::vector<const ModeInfo*>& modes, Device& device,
                   BenchReport& report, Progress& progress) {
  const std::uint32_t burst = o.burst;
  // Within a CPU's budget whatever the burst: burst top halves per 10 us.
  const std::uint64_t period = std::max<std::uint64_t>(
      kStormPeriodNs, std::uint64_t{burst} * (1000000000ULL / IRQBRIDGE_CPU_RATE_MAX));
  for (const ModeInfo* m : modes) {
    RunSettings s = storm_settings(o, *m, period);
    s.label = fmt::format("{} storm x{}", m->name, burst);
    StormPoint p = storm_point(*m, s, period);
    try {
      RunResult r = run_once(device, s, progress,
                             [&p](const irqbridge_record& rec, std::uint64_t) { p.add(rec); });
      static_cast<Counts&>(p) = r;
    } catch (const FatalError&) {
      throw;
    } catch (const Error& e) {
      progress.end();
      p.error = e.what();
      p.kernel = device.stats();
    }
    report.storm.push_back(p);
  }

  // The same on every CPU at once: a channel per CPU, its timer pinned
  // there, each within its own CPU's budget, so the guest is offered the
  // budget times the CPUs.
  const std::vector<int>& cpus = process_cpus();
  for (const ModeInfo* m : modes) {
    RunSettings s = storm_settings(o, *m, period);
    s.label = fmt::format("{} storm x{} on {} CPUs", m->name, burst, cpus.size());
    StormAllCpus a;
    a.mode = m->name;
    a.source = s.source->name;
    a.period_ns = period;
    a.burst = burst;
    a.events_per_cpu = s.events;
    for (int cpu : cpus) a.per_cpu.push_back(storm_point(*m, s, period, cpu));
    try {
      std::vector<RunResult> runs =
          run_per_cpu(device, s, cpus, report.reader, progress,
                      [&a](const irqbridge_record& rec, std::uint64_t) { a.add(rec); });
      for (const RunResult& r : runs)
        for (StormPoint& p : a.per_cpu)
          if (p.cpu == r.cpu) static_cast<Counts&>(p) = r;
    } catch (const FatalError&) {
      throw;
    } catch (const Error& e) {
      progress.end();
      a.error = e.what();
    }
    report.storm_all_cpus.push_back(a);
  }
}

}  // namespace

int run_bench(const BenchOptions& o, const std::vector<const ModeInfo*>& modes, Device& device) {
  check_modes(o.run, {}, modes, device);
  BenchReport report;
  report.kernel = kernel_release();
  report.module_version = module_version(device.info());
  report.cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  report.accel = accelerator();
  report.events = o.run.events;
  report.reader = apply_reader_settings(wanted_reader(o.run));
  Progress progress(!o.run.quiet);

  report.top_half_period_ns = 100000;
  report.reader_period_ns = 1000000;

  // --burst is the storm's: every other figure is one top half per expiry.
  BenchOptions single = o;
  single.run.burst = 1;
  if (!o.scaling_only && !o.storm_only) measure_single_cpu(single, modes, device, report, progress);

  if (!o.costs_only && !o.storm_only)
    measure_cpu_scaling(single.run, cost_mode(modes), device, report, progress);

  if (!o.costs_only && !o.scaling_only) measure_storm(o.run, modes, device, report, progress);

  std::fputs(format_table(report).c_str(), stdout);
  if (!o.run.json.empty()) {
    std::ofstream out(o.run.json);
    out << dump_json(to_json(report)) << '\n';
    if (!out) throw Error("cannot write " + o.run.json);
  }
  for (const auto& c : report.readers)
    if (!c.exact) return kExitMismatch;
  for (const auto& c : report.cpu_scaling)
    if (!c.exact) return kExitMismatch;
  for (const auto& p : report.rate_search)
    if (p.kernel.fired != p.kernel.counted) return kExitMismatch;
  for (const auto& p : report.storm)
    if (p.error.empty() ? !p.exact() : p.kernel.fired != p.kernel.counted) return kExitMismatch;
  for (const auto& a : report.storm_all_cpus)
    if (a.error.empty() ? !a.exact() : !a.total().exact()) return kExitMismatch;
  return 0;
}

}  // namespace irqbridge::cli
