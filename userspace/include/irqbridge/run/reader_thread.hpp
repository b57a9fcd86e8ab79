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

namespace irqbridge {

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
  ReaderThread(ReaderThread&& other) noexcept;
  ReaderThread& operator=(ReaderThread&& other) noexcept;
  ReaderThread(const ReaderThread&) = delete;
  ReaderThread& operator=(const ReaderThread&) = delete;
  // Joins.
  ~ReaderThread();

  void join();
  // The thread, while it is joinable (e.g. its CPU-time clock).
  [[nodiscard]] pthread_t native_handle() const { return id_; }

 private:
  pthread_t id_{};
  bool joinable_ = false;
};

}  // namespace irqbridge
