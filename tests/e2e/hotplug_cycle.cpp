// One CPU offline/online cycle inside a running irqbridge run, seen from the
// device (the hotplug scenario's churn, tests/e2e/guest/hotplug.sh).
//
//   hotplug_cycle --cpu N --offline-ms MS
//       a cycle on its own: prints {"cycle_ms": ...} (the scenario sizes its
//       runs from it)
//   hotplug_cycle --cpu N --offline-ms MS --pid PID --channels K
//       waits until process PID (irqbridge compare --cpus ...) holds K
//       channels and every one of them runs (GET_STATS: running, raised > 0),
//       takes CPU N offline, waits MS, brings it back, reads every channel's
//       stats again, waits for PID to exit and reads them a last time
//
// The channels are PID's own sessions, borrowed with pidfd_getfd(): the
// module's state of the run itself, not a guess from the time. The cycle was
// inside the run ("inside": true) when every channel ran before the offline
// and still ran after the online (running: fewer than its events raised, or
// fewer counted than fired; error 0). Channels are listed in the order PID
// opened them (ascending fd), which is the order of its --cpus list.
//
// Prints one JSON object on stdout; exit 0 when the cycle was made (inside
// the run or not: the judge decides), 1 when it could not be (a write to the
// CPU's online file failed, PID ended before its channels ran, a timeout),
// with the reason in "error".
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <uapi/irqbridge.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "irqbridge/sys/unique_fd.hpp"

namespace {

using irqbridge::UniqueFd;
using Clock = std::chrono::steady_clock;

constexpr const char* kChannelLink = "anon_inode:[irqbridge-channel]";
constexpr auto kPoll = std::chrono::milliseconds(5);

struct Options {
  int cpu = 1;
  long offline_ms = 100;
  pid_t pid = 0;
  unsigned channels = 0;
  long wait_s = 60;  // for the channels to run, and again for PID to exit
};

struct Snapshot {
  bool ok = false;  // GET_STATS answered
  irqbridge_stats st{};
};

struct Channel {
  int target_fd;  // the fd number in PID
  UniqueFd fd;    // our copy of it
  Snapshot before, after, final;
};

Snapshot snapshot(int fd) {
  Snapshot s;
  s.st.size = sizeof(s.st);
  s.ok = ::ioctl(fd, IRQBRIDGE_IOC_GET_STATS, &s.st) == 0;
  return s;
}

bool runs(const Snapshot& s) { return s.ok && s.st.running == 1 && s.st.error == 0; }

std::string json(const Snapshot& s) {
  if (!s.ok) return "null";
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                R"({"running": %u, "raised": %llu, "fired": %llu, "counted": %llu, "error": %u})",
                s.st.running, static_cast<unsigned long long>(s.st.raised),
                static_cast<unsigned long long>(s.st.fired),
                static_cast<unsigned long long>(s.st.counted), s.st.error);
  return buf;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Writes "0" or "1" to the CPU's online file; the errno of a failure, or 0.
int set_online(int cpu, bool online) {
  const std::string path = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/online";
  const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno;
  return ::write(fd.get(), online ? "1" : "0", 1) == 1 ? 0 : errno;
}

// True once the process behind the pidfd has exited (zombie or reaped).
bool exited(int pidfd, int timeout_ms = 0) {
  pollfd p{pidfd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) != 0;
}

// PID's channel fds not borrowed yet, borrowed now.
void borrow_channels(const Options& o, int pidfd, std::map<int, Channel>& channels) {
  const std::string dir = "/proc/" + std::to_string(o.pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const int target = std::atoi(e->d_name);
    if (channels.count(target)) continue;
    char link[128] = {};
    const std::string path = dir + "/" + e->d_name;
    if (::readlink(path.c_str(), link, sizeof(link) - 1) < 0 || std::strcmp(link, kChannelLink))
      continue;
    const int fd = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, target, 0));
    if (fd >= 0) channels.emplace(target, Channel{target, UniqueFd(fd), {}, {}, {}});
  }
  ::closedir(d);
}

struct Result {
  std::string error;
  double offline_write_ms = 0, online_write_ms = 0, cycle_ms = 0;
  bool cycled = false;
};

void cycle(const Options& o, Result& r) {
  const auto t0 = Clock::now();
  if (const int err = set_online(o.cpu, false)) {
    r.error = "offline CPU " + std::to_string(o.cpu) + ": " + std::strerror(err);
    return;
  }
  r.offline_write_ms = ms_since(t0);
  std::this_thread::sleep_for(std::chrono::milliseconds(o.offline_ms));
  const auto t1 = Clock::now();
  if (const int err = set_online(o.cpu, true)) {
    r.error = "online CPU " + std::to_string(o.cpu) + ": " + std::strerror(err);
    return;
  }
  r.online_write_ms = ms_since(t1);
  r.cycle_ms = ms_since(t0);
  r.cycled = true;
}

// Waits for the run, cycles inside it, waits for its end.
void cycle_in_run(const Options& o, std::vector<Channel>& out, Result& r) {
  const UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, o.pid, 0)));
  if (!pidfd) {
    r.error = "pidfd_open " + std::to_string(o.pid) + ": " + std::strerror(errno);
    return;
  }
  std::map<int, Channel> channels;
  const auto deadline = Clock::now() + std::chrono::seconds(o.wait_s);
  for (;;) {
    if (channels.size() < o.channels) borrow_channels(o, pidfd.get(), channels);
    bool all = channels.size() == o.channels;
    for (auto& [target, c] : channels) {
      c.before = snapshot(c.fd.get());
      all = all && runs(c.before) && c.before.st.raised > 0;
    }
    if (all) break;
    if (exited(pidfd.get())) {
      r.error = "process " + std::to_string(o.pid) + " ended before its " +
                std::to_string(o.channels) + " channels ran (" + std::to_string(channels.size()) +
                " seen)";
      break;
    }
    if (Clock::now() > deadline) {
      r.error = "the run's channels did not all run in " + std::to_string(o.wait_s) + " s";
      break;
    }
    std::this_thread::sleep_for(kPoll);
  }
  if (r.error.empty()) {
    cycle(o, r);
    for (auto& [target, c] : channels) c.after = snapshot(c.fd.get());
  }
  // The end of the run, then the module's last word on every channel (our
  // copies keep the sessions until we close them).
  if (!exited(pidfd.get(), static_cast<int>(o.wait_s * 1000)) && r.error.empty())
    r.error = "process " + std::to_string(o.pid) + " still runs " + std::to_string(o.wait_s) +
              " s after the cycle";
  for (auto& [target, c] : channels) {
    c.final = snapshot(c.fd.get());
    out.push_back(std::move(c));
  }
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const long v = std::strtol(argv[i + 1], nullptr, 10);
    if (k == "--cpu")
      o.cpu = static_cast<int>(v);
    else if (k == "--offline-ms")
      o.offline_ms = v;
    else if (k == "--pid")
      o.pid = static_cast<pid_t>(v);
    else if (k == "--channels")
      o.channels = static_cast<unsigned>(v);
    else if (k == "--wait-s")
      o.wait_s = v;
    else
      return false;
  }
  return argc % 2 == 1 && o.cpu > 0 && o.offline_ms >= 0 && (o.pid == 0 || o.channels > 0);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: hotplug_cycle --cpu N --offline-ms MS [--pid PID --channels K] "
                 "[--wait-s S]\n");
    return 2;
  }
  Result r;
  std::vector<Channel> channels;
  if (o.pid == 0)
    cycle(o, r);
  else
    cycle_in_run(o, channels, r);
  bool inside = r.cycled && !channels.empty();
  for (const auto& c : channels) inside = inside && runs(c.before) && runs(c.after);
  std::printf(R"({"cpu": %d, "offline_ms": %ld, "cycled": %s, "inside": %s, )"
              R"("offline_write_ms": %.1f, "online_write_ms": %.1f, "cycle_ms": %.1f, )"
              R"("error": "%s", "channels": [)",
              o.cpu, o.offline_ms, r.cycled ? "true" : "false", inside ? "true" : "false",
              r.offline_write_ms, r.online_write_ms, r.cycle_ms, r.error.c_str());
  for (std::size_t i = 0; i < channels.size(); i++)
    std::printf(R"(%s{"index": %zu, "before": %s, "after": %s, "final": %s})", i ? ", " : "", i,
                json(channels[i].before).c_str(), json(channels[i].after).c_str(),
                json(channels[i].final).c_str());
  std::printf("]}\n");
  return r.cycled ? 0 : 1;
}
