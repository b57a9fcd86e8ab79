#include "irqbridge/load.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/error.hpp"

namespace irqbridge {

std::optional<LoadKind> parse_load(std::string_view name) {
  if (name == "none") return LoadKind::none;
  if (name == "cpu") return LoadKind::cpu;
  if (name == "syscall") return LoadKind::syscall;
  return std::nullopt;
}

std::string_view load_name(LoadKind kind) {
  switch (kind) {
    case LoadKind::none:
      return "none";
    case LoadKind::cpu:
      return "cpu";
    case LoadKind::syscall:
      return "syscall";
  }
  return "?";
}

namespace {

[[noreturn]] void spin() {
  volatile std::uint64_t x = 0;
  for (;;) x = x + 1;
}

// Kernel entries of several kinds: pipe write and read (wakes the pipe's
// wait queue), open and close (VFS, fd table), getppid (the cheapest).
[[noreturn]] void syscalls() {
  int p[2];
  if (::pipe(p) != 0) ::_exit(1);
  char byte = 0;
  for (;;) {
    if (::write(p[1], &byte, 1) != 1 || ::read(p[0], &byte, 1) != 1) ::_exit(1);
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
    (void)::getppid();
  }
}

}  // namespace

Load::Load(LoadKind kind) {
  if (kind == LoadKind::none) return;
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  for (long i = 0; i < (cpus > 0 ? cpus : 1); i++) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int err = errno;
      stop();
      throw Error(std::string("fork for the load: ") + std::strerror(err));
    }
    if (pid == 0) {
      // A normal task, whatever the reader is: undo SCHED_FIFO, memory
      // locks and CPU pinning inherited from it.
      sched_param sp{};
      ::sched_setscheduler(0, SCHED_OTHER, &sp);
      ::munlockall();
      cpu_set_t all;
      CPU_ZERO(&all);
      for (long c = 0; c < cpus; c++) CPU_SET(static_cast<std::size_t>(c), &all);
      ::sched_setaffinity(0, sizeof(all), &all);
      if (kind == LoadKind::cpu) spin();
      syscalls();
    }
    children_.push_back(pid);
  }
}

Load::~Load() { stop(); }

void Load::stop() {
  for (pid_t pid : children_) ::kill(pid, SIGKILL);
  for (pid_t pid : children_)
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  children_.clear();
}

}  // namespace irqbridge
