#include "irqbridge/sys/reader_setup.hpp"

#include <sched.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/run/waiter/waiter.hpp"
#include "irqbridge/sys/error.hpp"

namespace irqbridge {

namespace {

std::vector<int> affinity_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; c++)
      if (CPU_ISSET(static_cast<std::size_t>(c), &set)) cpus.push_back(c);
  }
  if (cpus.empty()) cpus.push_back(::sched_getcpu() >= 0 ? ::sched_getcpu() : 0);
  return cpus;
}

}  // namespace

const std::vector<int>& process_cpus() {
  static const std::vector<int> cpus = affinity_cpus();
  return cpus;
}

ReaderSettings apply_reader_settings(const ReaderSettings& wanted) {
  ReaderSettings applied;
  applied.variant = wanted.variant;  // how it waits: nothing to apply here
  try {
    const UringSetup u = probe_uring_setup();
    applied.io_uring_setup = u.name();
    applied.io_uring_flags = u.flags;
    applied.io_uring_registered_ring_fd = u.registered_ring_fd;
    applied.io_uring_fixed_eventfd = u.fixed_eventfd;
  } catch (const Error&) {
    applied.io_uring_setup = "unavailable";  // the io_uring variants will say why
  }
  if (wanted.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<std::size_t>(wanted.cpu), &set);
    if (::sched_setaffinity(0, sizeof(set), &set) != 0)
      throw Error("cannot pin the reader to CPU " + std::to_string(wanted.cpu) + ": " +
                  std::strerror(errno));
    applied.cpu = wanted.cpu;
  }
  if (wanted.policy == "SCHED_FIFO") {
    sched_param param{};
    param.sched_priority = wanted.priority;
    if (::sched_setscheduler(0, SCHED_FIFO, &param) != 0)
      throw Error("cannot make the reader SCHED_FIFO " + std::to_string(wanted.priority) + ": " +
                  std::strerror(errno) + " (run as root, or use --sched other)");
    applied.policy = "SCHED_FIFO";
    applied.priority = wanted.priority;
  }
  if (wanted.mlockall) {
    if (::mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
      throw Error(std::string("mlockall: ") + std::strerror(errno));
    applied.mlockall = true;
  }
  return applied;
}

}  // namespace irqbridge
