#include "irqbridge/run/cyclictest_runner.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/signal_cleanup.hpp"
#include "irqbridge/sys/unique_fd.hpp"

extern char** environ;

namespace irqbridge {

std::string temp_directory() {
  // $TMPDIR as given, without std::filesystem's checks (which throw); a
  // directory that does not work shows as mkostemp's error.
  const char* dir = std::getenv("TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

TempFile::TempFile(const std::string& stem) {
  std::string pattern = temp_directory();
  if (pattern.back() != '/') pattern += '/';
  pattern += stem + ".XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  // Close-on-exec: cyclictest gets it only as the stdout posix_spawn dups.
  fd_.reset(::mkostemp(buf.data(), O_CLOEXEC));
  if (!fd_) throw Error("cannot create a temporary file " + pattern + ": " + std::strerror(errno));
  path_ = buf.data();
  on_signal_ = std::make_unique<UnlinkOnSignal>(path_);
}

TempFile::~TempFile() {
  on_signal_.reset();
  ::unlink(path_.c_str());
}

ProgramExit run_program(std::vector<std::string> args, int out_fd, int err_fd) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  pid_t pid = -1;
  ProgramExit result;
  result.spawn_error = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (result.spawn_error != 0) return result;

  const KillOnSignal kill_on_signal(pid);
  while (::waitpid(pid, &result.status, 0) < 0)
    if (errno != EINTR) throw Error(std::string("waitpid: ") + std::strerror(errno));
  return result;
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') return line;
  return "";
}

namespace {

Floor unavailable(std::string reason, std::string command) {
  Floor f;
  f.reason = std::move(reason);
  f.command = std::move(command);
  return f;
}

Floor run_cyclictest_or_throw(const FloorSettings& s) {
  // A histogram wide enough for anything but a wedged guest: 20 periods,
  // at least 10 ms, at most 1 s (one counter per microsecond).
  const std::uint64_t hist_us = std::clamp<std::uint64_t>(20 * s.period_us, 10000, 1000000);
  TempFile json("irqbridge-cyclictest-json");
  TempFile log("irqbridge-cyclictest-log");

  std::vector<std::string> args = {"cyclictest",
                                   "-q",
                                   "-t" + std::to_string(std::max<std::size_t>(1, s.cpus.size())),
                                   "-l" + std::to_string(s.loops),
                                   "-i" + std::to_string(s.period_us),
                                   "-h" + std::to_string(hist_us),
                                   "--json=" + json.path()};
  if (s.priority > 0) args.push_back("-p" + std::to_string(s.priority));
  if (s.mlockall) args.emplace_back("-m");
  if (!s.cpus.empty()) {
    std::string list;
    for (int c : s.cpus) list += (list.empty() ? "" : ",") + std::to_string(c);
    args.push_back("-a" + list);
  } else if (s.cpu >= 0) {
    args.push_back("-a" + std::to_string(s.cpu));
  }
  std::string command;
  for (const auto& a : args) command += (command.empty() ? "" : " ") + a;

  const ProgramExit run = run_program(args, log.fd(), log.fd());
  if (run.spawn_error == ENOENT)
    return unavailable("cyclictest is not installed (Debian package rt-tests)", command);
  if (run.spawn_error != 0)
    return unavailable(std::string("cannot run cyclictest: ") + std::strerror(run.spawn_error),
                       command);
  const int status = run.status;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return unavailable("cyclictest could not be executed (missing libraries?)", command);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why = WIFEXITED(status) ? "exited with " + std::to_string(WEXITSTATUS(status))
                                        : "killed by signal " + std::to_string(WTERMSIG(status));
    const std::string line = first_line(log.path());
    return unavailable("cyclictest " + why + (line.empty() ? "" : ": " + line), command);
  }

  try {
    std::ifstream in(json.path());
    Floor f = parse_cyclictest_json(nlohmann::json::parse(in));
    f.command = command;
    return f;
  } catch (const std::exception& e) {
    return unavailable(std::string("cyclictest output unreadable: ") + e.what(), command);
  }
}

}  // namespace

Floor run_cyclictest(const FloorSettings& s) {
  // Never throws: whatever fails (a bad TMPDIR, no memory) is the reason
  // there is no floor.
  try {
    return run_cyclictest_or_throw(s);
  } catch (const std::exception& e) {
    return unavailable(std::string("cyclictest not run: ") + e.what(), "");
  }
}

}  // namespace irqbridge
