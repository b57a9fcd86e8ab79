#include "irqbridge/sys/scoped_resource.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/unique_fd.hpp"

namespace irqbridge {
namespace {

std::vector<int> released;
void record_release(int v) noexcept { released.push_back(v); }
using Owner = ScopedResource<int, record_release, -1>;

TEST(ScopedResource, ReleasesOnceWhateverPathTheValueTakes) {
  released.clear();
  {
    Owner a(1);
    Owner b(std::move(a));
    EXPECT_FALSE(a) << "moved from";
    EXPECT_EQ(b.get(), 1);
    Owner c(2);
    c = std::move(b);  // releases 2, takes 1
    EXPECT_EQ(released, (std::vector<int>{2}));
    c.reset(3);  // releases 1
    EXPECT_EQ(c.release(), 3);
    EXPECT_FALSE(c);
    Owner d;  // holds nothing: nothing released
    Owner e(4);
    e = std::move(e);  // self-move keeps it
    EXPECT_EQ(e.get(), 4);
  }
  EXPECT_EQ(released, (std::vector<int>{2, 1, 4})) << "3 was given up by release()";
}

TEST(ScopedResource, UniqueFdClosesItsDescriptor) {
  int raw = -1;
  {
    UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(fd);
    raw = fd.get();
    EXPECT_NE(::fcntl(raw, F_GETFD), -1);
  }
  errno = 0;
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST(ErrnoMessage, OneLineWithTheCallAndTheReason) {
  EXPECT_EQ(errno_message("epoll_ctl", EBADF), "epoll_ctl: Bad file descriptor");
  errno = ENOENT;
  EXPECT_EQ(errno_message("open x"), "open x: No such file or directory");
  try {
    throw_errno("mlockall", EPERM);
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "mlockall: Operation not permitted");
    return;
  }
  ADD_FAILURE() << "throw_errno did not throw Error";
}

}  // namespace
}  // namespace irqbridge
