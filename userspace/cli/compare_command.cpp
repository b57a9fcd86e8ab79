// irqbridge run / compare.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "irqbridge/abi/catalogue.hpp"
#include "irqbridge/report/csv.hpp"
#include "irqbridge/run/cyclictest_runner.hpp"
#include "irqbridge/run/load.hpp"
#include "irqbridge/run/percpu.hpp"
#include "irqbridge/run/session.hpp"
#include "irqbridge/run/timerlat_runner.hpp"
#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/reader_setup.hpp"

namespace irqbridge::cli {

namespace {

// The module's catalogue (GET_CATALOGUE; the compiled-in table from a
// module without it).
Catalogue device_catalogue(const Device& device) {
  const auto reply = device.catalogue();
  return reply ? module_catalogue(*reply) : compiled_catalogue();
}

const CatalogueSource& catalogue_source(const Catalogue& catalogue, const std::string& name) {
  const SourceInfo* source = find_source(name);
  if (source == nullptr) throw Error("unknown source '" + name + "'");
  const CatalogueSource* src = catalogue.source(source->id);
  if (src == nullptr)
    throw Error(fmt::format("source {} is not in the module's catalogue", source->name));
  return *src;
}

// A mode that needs an interrupt (threaded) on a source without one
// (timer_soft). The timer source lends it the irq_chip's line
// (effective_source); no other source falls back: the irq_chip's top half
// is a hard one.
bool lacks_its_interrupt(const CatalogueMode& m, const CatalogueSource& src) {
  return m.needs_irq() && !src.irq() && src.id != IRQBRIDGE_SOURCE_TIMER;
}

}  // namespace

std::vector<const ModeInfo*> modes_for_source(const std::vector<const ModeInfo*>& modes,
                                              const std::string& source, const Device& device) {
  const Catalogue catalogue = device_catalogue(device);
  const CatalogueSource& src = catalogue_source(catalogue, source);
  std::vector<const ModeInfo*> kept;
  std::string left_out;
  for (const ModeInfo* info : modes) {
    const CatalogueMode* m = catalogue.mode(info->id);
    if (m != nullptr && lacks_its_interrupt(*m, src))
      left_out += (left_out.empty() ? "" : ", ") + m->name;
    else
      kept.push_back(info);
  }
  if (!left_out.empty())
    fmt::print(stderr, "irqbridge: all modes of source {} but {} (no interrupt to thread)\n",
               src.name, left_out);
  return kept;
}

// Refuses, before anything runs, what CONFIGURE would refuse, with the
// reason: the rules are the capability bits of the module's catalogue.
void check_modes(const RunShaping& o, std::span<const int> cpus,
                 const std::vector<const ModeInfo*>& modes, const Device& device) {
  const Catalogue catalogue = device_catalogue(device);
  const CatalogueSource* src = &catalogue_source(catalogue, o.source);
  const SourceInfo* source = find_source(o.source);
  // The direct mode signals in the top half: hard IRQ, or softirq (timer_soft).
  const char* top =
      src->softirq() ? "the soft timer's softirq (DISPATCH_LEVEL)" : "the hard interrupt (DIRQL)";
  for (const ModeInfo* info : modes) {
    const CatalogueMode* m = catalogue.mode(info->id);
    if (m == nullptr)
      throw Error(fmt::format("mode {} is not in the module's catalogue", info->name));
    if (o.sleep_us != 0 && !m->may_sleep())
      throw Error(fmt::format(
          "mode {} signals from {} and may not sleep: drop --sleep-us or pick a task-context "
          "mode",
          m->name, m->in_top() ? top : "softirq context (DISPATCH_LEVEL)"));
    if (o.work_ns != 0 && m->in_top())
      throw Error(fmt::format("mode {} signals from {}: no --work-ns busy loop in the top half",
                              m->name, top));
    if (lacks_its_interrupt(*m, *src))
      throw Error(fmt::format(
          "mode {} needs an interrupt for its handler thread, and source {} has none (the "
          "soft hrtimer's callback is the top half): use --source irqchip or edu, or leave {} "
          "out",
          m->name, src->name, m->name));
    const SourceInfo& eff = effective_source(*info, *source);
    if (!(device.info().sources & (1U << eff.id)))
      throw Error(fmt::format("source {} is not present (edu needs QEMU's -device edu)", eff.name));
    if (eff.id == IRQBRIDGE_SOURCE_EDU && cpus.size() > 1)
      throw Error(
          "the edu device has one interrupt for all CPUs: --cpus with more than one CPU needs "
          "the timer or irqchip source");
  }
}

RunSettings run_settings(const RunShaping& o, const ModeInfo& mode, std::uint64_t period_ns) {
  RunSettings s;
  s.mode = &mode;
  s.source = &effective_source(mode, *find_source(o.source));
  s.period_ns = period_ns;
  s.events = o.events;
  s.work_ns = o.work_ns;
  s.sleep_us = o.sleep_us;
  s.burst = o.burst;
  if (const std::string why = burst_refusal(s.burst, period_ns, s.source->id); !why.empty())
    throw Error(why);
  s.reader = o.reader;
  s.timer_cpu = o.timer_cpu;
  return s;
}

namespace {

// The cyclictest floor under the same conditions as the modes.
Floor measure_floor(const SingleRate& o, const Report& report) {
  if (o.no_floor) {
    Floor f;
    f.reason = "not run (--no-floor)";
    return f;
  }
  FloorSettings fs;
  fs.period_us = std::max<std::uint64_t>(1, (report.period_ns + 500) / 1000);
  fs.loops = report.events * report.repetitions;
  fs.priority = report.reader.policy == SchedPolicy::fifo ? report.reader.priority : 0;
  fs.mlockall = report.reader.mlockall;
  fs.cpu = report.reader.cpu;
  fs.cpus = report.cpu_list;
  return run_cyclictest(fs);
}

// rtla timerlat under the conditions of the cyclictest floor: its period,
// about as many samples per CPU (rtla runs whole seconds), the reader's
// priority and CPUs (every CPU when the reader is not pinned: timerlat
// measures per CPU).
Timerlat measure_timerlat(const SingleRate& o, const Report& report) {
  TimerlatSettings ts;
  ts.period_us = std::max<std::uint64_t>(1, (report.period_ns + 500) / 1000);
  ts.duration_s = timerlat_duration_s(report.events * report.repetitions, ts.period_us);
  ts.priority = report.reader.policy == SchedPolicy::fifo ? report.reader.priority : 0;
  if (!report.cpu_list.empty())
    ts.cpus = report.cpu_list;
  else if (report.reader.cpu >= 0)
    ts.cpus = {report.reader.cpu};
  // One bin per microsecond up to 20 periods, at least 10 ms, at most 1 s:
  // the cyclictest floor's histogram.
  ts.entries = std::clamp<std::uint64_t>(20 * ts.period_us, 10000, 1000000);
  if (o.no_floor || o.no_timerlat) {
    Timerlat t;
    t.settings = ts;
    t.reason = o.no_floor ? "not run (--no-floor)" : "not run (--no-timerlat)";
    return t;
  }
  return run_timerlat(ts);
}

std::unique_ptr<std::ofstream> open_csv(const std::string& path) {
  if (path.empty()) return nullptr;
  auto out = std::make_unique<std::ofstream>(path);
  if (!*out) throw Error("cannot write " + path);
  *out << csv_header();
  return out;
}

}  // namespace

int run_compare(const RunShaping& o, const SingleRate& rate,
                const std::vector<const ModeInfo*>& modes, Device& device) {
  check_modes(o, rate.cpus, modes, device);

  Report report;
  report.kernel = kernel_release();
  report.module_version = module_version(device.info());
  report.period_ns = rate.period_ns;
  report.events = o.events;
  report.warmup = rate.warmup;
  report.repetitions = rate.repeat;
  report.work_ns = o.work_ns;
  report.sleep_us = o.sleep_us;
  report.burst = o.burst;
  // Before the floor runs: a burst CONFIGURE would refuse, refused now.
  for (const ModeInfo* m : modes) (void)run_settings(o, *m, report.period_ns);
  report.requested_source = o.source;
  report.cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  report.accel = accelerator();
  report.load = std::string(load_name(o.load));
  report.timer_cpu = o.timer_cpu;
  report.cpu_list = rate.cpus;
  report.reader = apply_reader_settings(wanted_reader(o));

  auto csv = open_csv(rate.csv);
  report.floor = measure_floor(rate, report);
  report.timerlat = measure_timerlat(rate, report);

  Progress progress(!o.quiet);
  for (const ModeInfo* m : modes) {
    RunSettings s = run_settings(o, *m, report.period_ns);
    s.warmup = rate.warmup;
    s.outliers = rate.outliers;
    s.threshold_ns = static_cast<std::int64_t>(std::llround(rate.threshold_us * 1000.0));
    // Merged run by run: memory does not grow with --repeat x --cpus.
    ModePool pool(std::string(m->name), std::string(s.source->name), m->chain);
    for (unsigned i = 0; i < rate.repeat; i++) {
      s.run = i;
      s.label = rate.repeat > 1 ? fmt::format("{} {}/{}", m->name, i + 1, rate.repeat)
                                : std::string(m->name);
      Analyzer::EventSink sink;
      if (csv)
        sink = [&csv, m, i](const irqbridge_record& r, std::uint64_t user) {
          *csv << csv_line(m->name, i, r, user);
        };
      if (report.cpu_list.empty()) {
        pool.add(run_once(device, s, progress, sink));
      } else {
        for (auto& r : run_per_cpu(device, s, report.cpu_list, report.reader, progress, sink))
          pool.add(std::move(r));
      }
    }
    report.modes.push_back(std::move(pool).finish());
  }

  std::fputs(format_table(report).c_str(), stdout);
  if (csv && !csv->flush()) throw Error("cannot write " + rate.csv);
  if (!o.json.empty()) {
    std::ofstream out(o.json);
    out << dump_json(to_json(report)) << '\n';
    if (!out) throw Error("cannot write " + o.json);
  }
  for (const auto& m : report.modes) {
    for (const auto& part : m.per_cpu) {
      if (!part.exact()) {
        std::fprintf(stderr,
                     "irqbridge: %s on CPU %d lost count: fired %llu, counted %llu, reader read "
                     "%llu\n",
                     m.mode.c_str(), part.cpu, static_cast<unsigned long long>(part.kernel.fired),
                     static_cast<unsigned long long>(part.kernel.counted),
                     static_cast<unsigned long long>(part.reader_total));
        return kExitMismatch;
      }
    }
    if (!m.exact()) {
      std::fprintf(stderr, "irqbridge: %s lost count: fired %llu, counted %llu, reader read %llu\n",
                   m.mode.c_str(), static_cast<unsigned long long>(m.kernel.fired),
                   static_cast<unsigned long long>(m.kernel.counted),
                   static_cast<unsigned long long>(m.reader_total));
      return kExitMismatch;
    }
  }
  return 0;
}

}  // namespace irqbridge::cli
