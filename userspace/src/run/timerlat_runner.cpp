#include "irqbridge/run/timerlat_runner.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "irqbridge/run/cyclictest_runner.hpp"
#include "irqbridge/sys/error.hpp"

namespace irqbridge {

namespace {

constexpr const char* kTracers = "/sys/kernel/tracing/available_tracers";

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Timerlat run_or_throw(Timerlat t) {
  if (auto why = timerlat_missing_reason(read_file(kTracers))) {
    t.reason = *why;
    return t;
  }
  TempFile out("irqbridge-timerlat-out");
  TempFile log("irqbridge-timerlat-log");
  const ProgramExit run = run_program(timerlat_args(t.settings), out.fd(), log.fd());
  if (run.spawn_error == ENOENT) {
    t.reason = "rtla is not installed (Debian package rtla)";
    return t;
  }
  if (run.spawn_error != 0) {
    t.reason = std::string("cannot run rtla: ") + std::strerror(run.spawn_error);
    return t;
  }
  const int status = run.status;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    t.reason = "rtla could not be executed (missing libraries?)";
    return t;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string why = WIFEXITED(status)
                                ? "exited with " + std::to_string(WEXITSTATUS(status))
                                : "killed by signal " + std::to_string(WTERMSIG(status));
    const std::string line = first_line(log.path());
    t.reason = "rtla " + why + (line.empty() ? "" : ": " + line);
    return t;
  }
  const auto text = read_file(out.path());
  if (!text) {
    t.reason = "cannot read rtla's output";
    return t;
  }
  try {
    t.result = parse_timerlat_hist(*text, t.settings.bucket_us);
  } catch (const Error& e) {
    t.reason = e.what();
    return t;
  }
  t.available = true;
  t.reason.clear();
  return t;
}

}  // namespace

Timerlat run_timerlat(const TimerlatSettings& settings) {
  Timerlat t;
  t.settings = settings;
  for (const auto& a : timerlat_args(settings)) t.command += (t.command.empty() ? "" : " ") + a;
  // Never throws: whatever fails (a bad TMPDIR, no memory) is the reason
  // there is no result.
  try {
    return run_or_throw(t);
  } catch (const std::exception& e) {
    t.reason = std::string("rtla timerlat not run: ") + e.what();
    return t;
  }
}

}  // namespace irqbridge
