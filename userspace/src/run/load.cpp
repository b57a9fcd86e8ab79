#include "irqbridge/run/load.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {

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
  // One child per CPU this process may use (its cpuset, holes included).
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (::sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
    throw_errno("sched_getaffinity for the load");
  const int cpus = std::max(1, CPU_COUNT(&allowed));
  const pid_t parent = ::getpid();
  children_.reserve(static_cast<std::size_t>(cpus));
  guards_.reserve(static_cast<std::size_t>(cpus));
  for (int i = 0; i < cpus; i++) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int err = errno;
      stop();
      throw_errno("fork for the load", err);
    }
    if (pid == 0) {
      // Die with the parent, even of SIGKILL. The parent may have died
      // before prctl took effect: then it has been reparented already.
      if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(0);
      // Hold nothing of the parent's: no device, ring or eventfd (fork
      // copies every descriptor; O_CLOEXEC only acts on exec).
      if (::close_range(3, ~0U, 0) != 0)
        for (int fd = 3; fd < 4096; fd++) ::close(fd);
      // A normal task, whatever the reader is: undo SCHED_FIFO, memory
      // locks and CPU pinning inherited from it.
      sched_param sp{};
      ::sched_setscheduler(0, SCHED_OTHER, &sp);
      ::munlockall();
      ::sched_setaffinity(0, sizeof(allowed), &allowed);
      if (kind == LoadKind::cpu) spin();
      syscalls();
    }
    children_.push_back(pid);
    guards_.push_back(std::make_unique<KillOnSignal>(pid));
  }
}

Load::~Load() { stop(); }

void Load::stop() {
  guards_.clear();
  for (pid_t pid : children_) ::kill(pid, SIGKILL);
  for (pid_t pid : children_)
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  children_.clear();
}

}  // namespace irqbridge
