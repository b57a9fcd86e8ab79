#include "irqbridge/run/reader_thread.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <utility>
#include <vector>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {
namespace {

// The stack size the running thread really got.
std::size_t own_stack_bytes() {
  pthread_attr_t attr;
  if (::pthread_getattr_np(::pthread_self(), &attr) != 0) return 0;
  std::size_t bytes = 0;
  ::pthread_attr_getstacksize(&attr, &bytes);
  ::pthread_attr_destroy(&attr);
  return bytes;
}

TEST(ReaderThreadTest, RunsWithTheRequestedStackAndJoinsOnDestruction) {
  std::size_t seen = 0;
  {
    const ReaderThread t([&] { seen = own_stack_bytes(); });
  }  // joined here: seen is written
  EXPECT_GE(seen, ReaderThread::kStackBytes);
  // Not the 8 MiB a default thread would lock under mlockall.
  EXPECT_LT(seen, 2 * ReaderThread::kStackBytes);
}

TEST(ReaderThreadTest, ExplicitSizeAndMovesKeepOneJoin) {
  std::atomic<int> runs{0};
  std::vector<ReaderThread> threads;
  for (int i = 0; i < 4; i++) threads.emplace_back([&] { runs++; }, std::size_t{256} * 1024);
  ReaderThread moved = std::move(threads.back());
  threads.pop_back();
  moved.join();
  moved.join();  // a second join is a no-op
  threads.clear();
  EXPECT_EQ(runs.load(), 4);
}

TEST(ReaderThreadTest, AStackBelowTheMinimumIsAnError) {
  EXPECT_THROW(ReaderThread([] {}, 1), Error);
}

}  // namespace
}  // namespace irqbridge
