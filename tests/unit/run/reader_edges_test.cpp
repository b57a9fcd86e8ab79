// The reader's edges: what must hold when things fail, are killed or are
// bigger than usual (issue 17). Real processes, signals and threads; no
// module needed.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "irqbridge/abi/device.hpp"
#include "irqbridge/report/report.hpp"
#include "irqbridge/run/cyclictest_runner.hpp"
#include "irqbridge/run/load.hpp"
#include "irqbridge/run/session.hpp"
#include "irqbridge/run/waiter/waiter.hpp"
#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/reader_setup.hpp"
#include "irqbridge/sys/signal_cleanup.hpp"

namespace irqbridge {
namespace {

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Gone, or a zombie nobody reaped yet: either way no longer running.
bool process_ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  return paren == std::string::npos || line.size() < paren + 3 || line[paren + 2] == 'Z' ||
         line[paren + 2] == 'X';
}

bool all_end_within(const std::vector<pid_t>& pids, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    bool all = true;
    for (pid_t p : pids) all = all && process_ended(p);
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::set<int> open_fds(pid_t pid) {
  std::set<int> fds;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') fds.insert(std::atoi(e->d_name));
    ::closedir(d);
  }
  return fds;
}

// ---- item 21: module_version within its array -------------------------

TEST(ReaderEdges, ModuleVersionIsReadWithinItsArray) {
  irqbridge_info info{};
  std::memcpy(info.module_version, "1.2.3", 6);
  EXPECT_EQ(module_version(info), "1.2.3");
  // No NUL anywhere: 32 characters, not a read past the array.
  std::memset(info.module_version, 'x', sizeof(info.module_version));
  EXPECT_EQ(module_version(info), std::string(sizeof(info.module_version), 'x'));
}

// ---- item 12: the load's children --------------------------------------

// A process that starts a load and is then SIGKILLed (what a supervisor's
// kill -9 does): every child must die with it, and none may hold a
// descriptor the parent had open (the device, in the CLI).
TEST(ReaderEdges, LoadChildrenDieWithAKilledParentAndHoldNoDescriptor) {
  for (LoadKind kind : {LoadKind::cpu, LoadKind::syscall}) {
    SCOPED_TRACE(std::string(load_name(kind)));
    int report[2];
    ASSERT_EQ(::pipe(report), 0);
    const pid_t parent = ::fork();
    ASSERT_GE(parent, 0);
    if (parent == 0) {
      ::close(report[0]);
      // Stands for the device: an fd without O_CLOEXEC, as fork copies all.
      // A number no child opens of its own (its pipe gets 3 and 4).
      const int held = ::dup2(::open("/dev/null", O_RDONLY), 100);
      const Load load(kind);
      (void)!::write(report[1], &held, sizeof(held));
      // The children's pids, found via /proc (Load keeps them private).
      std::string kids;
      std::ifstream children("/proc/self/task/" + std::to_string(::getpid()) + "/children");
      std::getline(children, kids);
      (void)!::write(report[1], kids.c_str(), kids.size() + 1);
      ::pause();
      ::_exit(0);
    }
    ::close(report[1]);
    int held = -1;
    ASSERT_EQ(::read(report[0], &held, sizeof(held)), static_cast<ssize_t>(sizeof(held)));
    std::string text;
    char c = 0;
    while (::read(report[0], &c, 1) == 1 && c != '\0') text += c;
    ::close(report[0]);
    std::vector<pid_t> kids;
    for (std::size_t pos = 0; pos < text.size();) {
      const auto next = text.find(' ', pos);
      const std::string item = text.substr(pos, next - pos);
      if (!item.empty()) kids.push_back(static_cast<pid_t>(std::stol(item)));
      if (next == std::string::npos) break;
      pos = next + 1;
    }
    ASSERT_FALSE(kids.empty());
    for (pid_t k : kids) {
      // Give each child a moment to close what it inherited.
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (open_fds(k).count(held) != 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      EXPECT_EQ(open_fds(k).count(held), 0u) << "load child " << k << " holds fd " << held;
    }
    ::kill(parent, SIGKILL);
    ::waitpid(parent, nullptr, 0);
    const bool ended = all_end_within(kids, std::chrono::seconds(5));
    EXPECT_TRUE(ended) << "load children outlived their SIGKILLed parent";
    for (pid_t k : kids) ::kill(k, SIGKILL);  // never leave a busy loop behind
  }
}

// ---- item 12/16: a caught SIGTERM cleans up, then dies of the signal ----

TEST(ReaderEdges, SigtermKillsRegisteredChildrenAndRemovesTempFiles) {
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(report[0]);
    install_signal_cleanup();
    const pid_t sleeper = ::fork();
    if (sleeper == 0) {
      ::pause();
      ::_exit(0);
    }
    const KillOnSignal kill_guard(sleeper);
    const TempFile tmp("irqbridge-unit-signal");
    (void)!::write(report[1], &sleeper, sizeof(sleeper));
    (void)!::write(report[1], tmp.path().c_str(), tmp.path().size() + 1);
    ::pause();
    ::_exit(3);  // not reached: SIGTERM's default action ends it
  }
  ::close(report[1]);
  pid_t sleeper = 0;
  ASSERT_EQ(::read(report[0], &sleeper, sizeof(sleeper)), static_cast<ssize_t>(sizeof(sleeper)));
  std::string path;
  char c = 0;
  while (::read(report[0], &c, 1) == 1 && c != '\0') path += c;
  ::close(report[0]);
  ASSERT_TRUE(file_exists(path)) << path;
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
      << "the exit status must still say SIGTERM";
  EXPECT_FALSE(file_exists(path)) << "temp file left behind: " << path;
  EXPECT_TRUE(all_end_within({sleeper}, std::chrono::seconds(5))) << "registered child survived";
  ::kill(sleeper, SIGKILL);
  ::unlink(path.c_str());
}

// ---- item 15: start_on_cpu ---------------------------------------------

struct FakeAffinity {
  int sets = 0;
  int fail_set_number = 0;  // the n-th set fails (0: none)
  AffinityOps ops() {
    return {[](cpu_set_t& s) {
              CPU_ZERO(&s);
              CPU_SET(0, &s);
              CPU_SET(1, &s);
              return 0;
            },
            [this](const cpu_set_t&) {
              if (++sets == fail_set_number) {
                errno = EINVAL;
                return -1;
              }
              return 0;
            }};
  }
};

TEST(ReaderEdges, FailingStartLeavesTheThreadWhereItWas) {
  FakeAffinity fake;
  bool stopped = false;
  EXPECT_THROW(start_on_cpu(
                   1, [] { throw Error("START failed"); }, [&] { stopped = true; }, fake.ops()),
               Error);
  EXPECT_EQ(fake.sets, 2) << "pinned to the timer CPU, then restored";

  // The same with the real affinity calls: the mask is unchanged after.
  cpu_set_t before;
  ASSERT_EQ(::sched_getaffinity(0, sizeof(before), &before), 0);
  const int cpu = process_cpus().back();
  EXPECT_THROW(start_on_cpu(
                   cpu, [] { throw Error("START failed"); }, [] {}),
               Error);
  cpu_set_t after;
  ASSERT_EQ(::sched_getaffinity(0, sizeof(after), &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&before, &after)) << "left pinned to CPU " << cpu;
}

TEST(ReaderEdges, FailingRestoreAfterStartStopsTheTimerAndIsFatal) {
  FakeAffinity fake;
  fake.fail_set_number = 2;  // the restore
  bool started = false;
  bool stopped = false;
  try {
    start_on_cpu(
        1, [&] { started = true; }, [&] { stopped = true; }, fake.ops());
    ADD_FAILURE() << "no error";
  } catch (const FatalError& e) {
    EXPECT_NE(std::string(e.what()).find("timer stopped"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(started);
  EXPECT_TRUE(stopped) << "a timer left running with nothing to stop it";
}

// ---- item 16: the cyclictest runner never throws ------------------------

class TmpdirGuard {
 public:
  explicit TmpdirGuard(const char* value) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old, had_ = true;
    ::setenv("TMPDIR", value, 1);
  }
  TmpdirGuard(const TmpdirGuard&) = delete;
  TmpdirGuard& operator=(const TmpdirGuard&) = delete;
  TmpdirGuard(TmpdirGuard&&) = delete;
  TmpdirGuard& operator=(TmpdirGuard&&) = delete;
  ~TmpdirGuard() {
    if (had_)
      ::setenv("TMPDIR", old_.c_str(), 1);
    else
      ::unsetenv("TMPDIR");
  }

 private:
  std::string old_;
  bool had_ = false;
};

TEST(ReaderEdges, CyclictestRunnerDoesNotThrowOnABadTmpdir) {
  for (const char* bad : {"/nonexistent/irqbridge", "/dev/null"}) {
    SCOPED_TRACE(bad);
    const TmpdirGuard tmpdir(bad);
    FloorSettings fs;
    fs.loops = 1;
    Floor f;
    EXPECT_NO_THROW(f = run_cyclictest(fs));
    EXPECT_FALSE(f.available);
    EXPECT_NE(f.reason.find("temporary file"), std::string::npos) << f.reason;
  }
}

TEST(ReaderEdges, TempFilesAreCloseOnExecAndRemoved) {
  std::string path;
  {
    const TempFile tmp("irqbridge-unit");
    path = tmp.path();
    EXPECT_TRUE(file_exists(path));
    EXPECT_NE(::fcntl(tmp.fd(), F_GETFD) & FD_CLOEXEC, 0) << "cyclictest would inherit it";
  }
  EXPECT_FALSE(file_exists(path));
}

// ---- item 16: invalid UTF-8 in the floor's reason ----------------------

TEST(ReaderEdges, InvalidUtf8InTheFloorReasonDoesNotBreakTheJson) {
  Report r;
  r.floor.reason = "cyclictest exited with 1: \xff\xfe bad \xc3";
  r.floor.command = "cyclictest \xe2\x82";
  const nlohmann::json j = to_json(r);
  std::string text;
  EXPECT_NO_THROW(text = j.dump());
  EXPECT_NE(text.find("bad"), std::string::npos);
  EXPECT_EQ(valid_utf8("ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")
      << "valid text is unchanged";
  EXPECT_EQ(valid_utf8("a\xff"), "a\xef\xbf\xbd");
  EXPECT_EQ(valid_utf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd") << "overlong";
  EXPECT_EQ(valid_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") << "surrogate";
  // dump_json replaces rather than throws, whatever a string holds.
  nlohmann::json raw = {{"x", std::string("\xff")}};
  EXPECT_NO_THROW(static_cast<void>(dump_json(raw)));
}

// ---- item 14: the read variant's watchdog --------------------------------

std::vector<pid_t> thread_ids() {
  std::vector<pid_t> tids;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') tids.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
    ::closedir(d);
  }
  return tids;
}

TEST(ReaderEdges, ReadWatchdogIsOffTheReadersCpuAtNormalPriorityAndCounted) {
  const std::vector<int>& cpus = process_cpus();
  // The reader pinned to its CPU, SCHED_FIFO when allowed, as in a run.
  cpu_set_t before;
  ASSERT_EQ(::sched_getaffinity(0, sizeof(before), &before), 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(static_cast<std::size_t>(cpus.front()), &one);
  ASSERT_EQ(::sched_setaffinity(0, sizeof(one), &one), 0);
  sched_param fifo{};
  fifo.sched_priority = 10;
  const bool is_fifo = ::sched_setscheduler(0, SCHED_FIFO, &fifo) == 0;

  const auto tids_before = thread_ids();
  auto waiter = make_waiter(ReaderVariant::read);
  pid_t watchdog = 0;
  for (pid_t t : thread_ids())
    if (std::find(tids_before.begin(), tids_before.end(), t) == tids_before.end()) watchdog = t;
  ASSERT_NE(watchdog, 0) << "no watchdog thread found";
  EXPECT_FALSE(waiter->wait(std::chrono::milliseconds(60)).has_value());

  cpu_set_t its;
  ASSERT_EQ(::sched_getaffinity(watchdog, sizeof(its), &its), 0);
  if (cpus.size() > 1) {
    EXPECT_FALSE(CPU_ISSET(static_cast<std::size_t>(cpus.front()), &its))
        << "the watchdog runs on the measured CPU";
  }
  if (is_fifo) {
    EXPECT_EQ(::sched_getscheduler(watchdog), SCHED_OTHER) << "the watchdog inherited SCHED_FIFO";
  }
  EXPECT_GT(waiter->helper_cpu_ns(), 0u) << "its CPU time is not accounted";

  waiter.reset();
  sched_param other{};
  ::sched_setscheduler(0, SCHED_OTHER, &other);
  ::sched_setaffinity(0, sizeof(before), &before);
}

// ---- item 20: memory of histograms and of pooling ------------------------

TEST(ReaderEdges, HistogramMemoryFollowsTheLargestValueAndIsBounded) {
  Histogram small;
  for (int i = 0; i < 1000; i++) small.record(1000 + i);  // microseconds
  EXPECT_LE(small.bucket_bytes(), 8u * 1024) << "a few us need a few ranges";
  Histogram ms;
  ms.record(1000000);
  EXPECT_LE(ms.bucket_bytes(), 15u * 1024);
  Histogram huge;
  huge.record(std::numeric_limits<std::int64_t>::max());
  EXPECT_LE(huge.bucket_bytes(), 35u * 1024) << "bounded however large a value";
  EXPECT_EQ(huge.summary().max, std::numeric_limits<std::int64_t>::max()) << "max stays exact";
  EXPECT_EQ(huge.quantile(1.0), std::numeric_limits<std::int64_t>::max());
}

TEST(ReaderEdges, PoolingMergesAsItGoes) {
  auto run_on = [](int cpu, std::int64_t value) {
    RunResult r;
    r.cpu = cpu;
    r.kernel.fired = r.kernel.counted = 10;
    r.reader_total = 10;
    for (int i = 0; i < 10; i++) r.analysis.latency[Stage::timer_to_user].record(value);
    return r;
  };
  ModePool pool("tasklet", "timer", false);
  pool.add(run_on(3, 1000));
  pool.add(run_on(1, 2000));
  const std::size_t bytes_after_one_round =
      pool.result().histograms[Stage::timer_to_user].bucket_bytes();
  for (int rep = 0; rep < 200; rep++) {
    pool.add(run_on(3, 1000));
    pool.add(run_on(1, 2000));
  }
  const ModeResult m = std::move(pool).finish();
  EXPECT_EQ(m.histograms[Stage::timer_to_user].bucket_bytes(), bytes_after_one_round)
      << "runs are merged, not kept";
  ASSERT_EQ(m.per_cpu.size(), 2u);
  EXPECT_EQ(m.per_cpu[0].cpu, 1) << "parts sorted by CPU";
  EXPECT_EQ(m.per_cpu[1].cpu, 3);
  EXPECT_EQ(m.per_cpu[0].latency[static_cast<std::size_t>(Stage::timer_to_user)].n, 2010u);
  EXPECT_EQ(m.latency[static_cast<std::size_t>(Stage::timer_to_user)].n, 4020u);
  EXPECT_EQ(m.runs.size(), 402u);
  EXPECT_TRUE(m.exact());
}

}  // namespace
}  // namespace irqbridge
