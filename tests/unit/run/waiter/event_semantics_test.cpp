// Windows event semantics against the eventfd the module signals
// (docs/windows-to-linux.md, "Event semantics"): no module needed.
//
// - A notification event stays signalled until KeResetEvent and releases
//   every waiter; an eventfd stays readable while its counter is non-zero,
//   for every poller, and a read returns the whole count and resets it
//   (read-to-reset: KeResetEvent and "how many times was it set" at once).
// - KeSetEvent twice is one signalled state; eventfd_signal twice is 2.
// - EFD_SEMAPHORE: each read takes 1, like a wait on a semaphore that
//   KeReleaseSemaphore released n times.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "irqbridge/sys/unique_fd.hpp"

namespace {

using irqbridge::UniqueFd;

void Signal(int fd, uint64_t n) {
  ASSERT_EQ(::write(fd, &n, sizeof(n)), static_cast<ssize_t>(sizeof(n)));
}

// The value of one read, or 0 with errno EAGAIN when nothing is pending.
uint64_t Take(int fd) {
  uint64_t v = 0;
  if (::read(fd, &v, sizeof(v)) != static_cast<ssize_t>(sizeof(v))) return 0;
  return v;
}

bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

TEST(EventSemantics, SignalsAddUpAndOneReadTakesAllAndResets) {
  UniqueFd efd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  ASSERT_TRUE(efd);
  EXPECT_FALSE(Readable(efd.get()));
  Signal(efd.get(), 1);
  Signal(efd.get(), 1);  // a Windows event set twice is set once
  Signal(efd.get(), 3);
  // Signalled for every poller until read, like a notification event.
  EXPECT_TRUE(Readable(efd.get()));
  EXPECT_TRUE(Readable(efd.get()));
  EXPECT_EQ(Take(efd.get()), 5u) << "the count of every signal since the last read";
  // The read reset it (KeResetEvent).
  EXPECT_FALSE(Readable(efd.get()));
  errno = 0;
  EXPECT_EQ(Take(efd.get()), 0u);
  EXPECT_EQ(errno, EAGAIN);
}

TEST(EventSemantics, SemaphoreModeTakesOneAtATime) {
  UniqueFd efd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE));
  ASSERT_TRUE(efd);
  Signal(efd.get(), 3);  // KeReleaseSemaphore(..., 3, ...)
  for (int i = 0; i < 3; i++) {
    EXPECT_TRUE(Readable(efd.get()));
    EXPECT_EQ(Take(efd.get()), 1u) << "wait " << i;
  }
  EXPECT_FALSE(Readable(efd.get()));
  errno = 0;
  EXPECT_EQ(Take(efd.get()), 0u);
  EXPECT_EQ(errno, EAGAIN);
}

}  // namespace
