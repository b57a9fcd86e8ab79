// A joining thread with a stack of a chosen size, for the per-CPU readers.
//
// Under mlockall(MCL_CURRENT | MCL_FUTURE) every page a thread's stack maps
// is locked resident at once, and glibc sizes a new thread's stack from
// RLIMIT_STACK (8 MiB on Debian): std::thread would lock 8 MiB per reader
// thread. This is the pthread equivalent of std::jthread with
// pthread_attr_setstacksize(), nothing more.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <functional>

#include "irqbridge/sys/scoped_resource.hpp"

namespace irqbridge {

// A started thread that is still to be joined.
struct JoinableThread {
  pthread_t id{};
  bool joinable = false;
  bool operator==(const JoinableThread&) const = default;
};
inline void join_thread(JoinableThread t) noexcept { ::pthread_join(t.id, nullptr); }

class ReaderThread {
 public:
  // The reader's stack. Not measured per byte: the reader keeps its large
  // state (histograms, drain buffer, ring) on the heap, and e2e.percpu runs
  // every mode on every kernel of the matrix, the debug kernel included,
  // with this size.
  static constexpr std::size_t kStackBytes = std::size_t{512} * 1024;

  // Starts fn on a new thread with a stack of stack_bytes; throws Error if
  // the thread cannot be created. fn must not throw (as with std::thread,
  // an escaping exception ends the process).
  explicit ReaderThread(std::function<void()> fn, std::size_t stack_bytes = kStackBytes);
  ReaderThread() = default;  // no thread
  // Move-only; destruction, reset and move assignment join.

  void join() { thread_.reset(); }
  // The thread, while it is joinable (e.g. its CPU-time clock).
  [[nodiscard]] pthread_t native_handle() const { return thread_.get().id; }

 private:
  ScopedResource<JoinableThread, join_thread> thread_;
};

}  // namespace irqbridge
