// The reader's wait variants on a plain eventfd: no module needed.
#include "irqbridge/run/waiter/waiter.hpp"

#include <gtest/gtest.h>
#include <sys/eventfd.h>

#include <chrono>
#include <ostream>
#include <string>
#include <thread>

#include "irqbridge/sys/error.hpp"
#include "irqbridge/sys/unique_fd.hpp"

namespace irqbridge {

// Readable test names and messages: the variant's name.
void PrintTo(ReaderVariant v, std::ostream* os) { *os << variant_name(v); }

namespace {

class WaiterTest : public ::testing::TestWithParam<ReaderVariant> {
 protected:
  void SetUp() override {
    try {
      waiter_ = make_waiter(GetParam());
    } catch (const Error& e) {
      const std::string what = e.what();
      // A host kernel without io_uring (or with it disabled) cannot run
      // the io_uring variants; everything else is a failure.
      if (what.find("io_uring_queue_init") != std::string::npos &&
          (what.find("not implemented") != std::string::npos ||
           what.find("not permitted") != std::string::npos))
        GTEST_SKIP() << what;
      throw;
    }
    // device-read waits on the session's file, whose read/poll contract
    // (a __u64 count, read-to-reset, POLLIN while non-zero) is an
    // eventfd's: a second eventfd stands in for /dev/irqbridge here.
    if (GetParam() == ReaderVariant::device_read) {
      device_.reset(::eventfd(0, EFD_CLOEXEC));
      ASSERT_TRUE(device_);
      waiter_->attach_device(device_.get());
    }
  }
  // Where the module's completion arrives for this variant.
  [[nodiscard]] int signal_fd() const { return device_ ? device_.get() : waiter_->eventfd(); }
  std::unique_ptr<Waiter> waiter_;
  UniqueFd device_;
};

TEST_P(WaiterTest, ReturnsWhatWasSignalled) {
  ASSERT_EQ(eventfd_write(signal_fd(), 5), 0);
  auto v = waiter_->wait(std::chrono::seconds(5));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, 5u);
}

TEST_P(WaiterTest, SumOfWaitsIsSumOfSignals) {
  constexpr int kWrites = 1000;
  std::uint64_t expected = 0;
  for (int i = 0; i < kWrites; i++) expected += static_cast<std::uint64_t>(1 + i % 3);
  std::thread writer([fd = signal_fd()] {
    for (int i = 0; i < kWrites; i++) {
      eventfd_write(fd, static_cast<eventfd_t>(1 + i % 3));
      if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  std::uint64_t total = 0;
  while (total < expected) {
    auto v = waiter_->wait(std::chrono::seconds(5));
    if (!v) break;
    total += *v;
  }
  writer.join();
  EXPECT_EQ(total, expected);
  EXPECT_FALSE(waiter_->wait(std::chrono::milliseconds(20)).has_value()) << "nothing left over";
}

TEST_P(WaiterTest, TimesOutThenStillDelivers) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(waiter_->wait(std::chrono::milliseconds(50)).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(40));
  ASSERT_EQ(eventfd_write(signal_fd(), 2), 0);
  auto v = waiter_->wait(std::chrono::seconds(5));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, 2u);
}

TEST_P(WaiterTest, ShortTimeoutAfterLongWaitIsHonoured) {
  ASSERT_EQ(eventfd_write(signal_fd(), 1), 0);
  ASSERT_TRUE(waiter_->wait(std::chrono::seconds(30)).has_value());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(waiter_->wait(std::chrono::milliseconds(20)).has_value());
  const auto took = std::chrono::steady_clock::now() - start;
  // Never early: every variant waits until its deadline has passed.
  EXPECT_GE(took, std::chrono::milliseconds(20)) << "returned before the timeout";
  // A lingering 30 s timeout shows as ~30 s; 20 ms plus a descheduled
  // thread on a loaded 2-CPU host (sanitizers, parallel ctest) stays far
  // below 1 s, so 1 s separates the two without flaking on load.
  EXPECT_LT(took, std::chrono::seconds(1))
      << "the 30 s timeout of the previous wait must not linger";
}

TEST_P(WaiterTest, NameRoundTrips) {
  EXPECT_EQ(parse_variant(variant_name(GetParam())), GetParam());
  EXPECT_FALSE(variant_description(GetParam()).empty());
}

INSTANTIATE_TEST_SUITE_P(AllVariants, WaiterTest, ::testing::ValuesIn(all_variants()),
                         [](const auto& param_info) {
                           std::string n(variant_name(param_info.param));
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(WaiterVariant, UnknownNameIsRefused) { EXPECT_FALSE(parse_variant("bogus").has_value()); }

// reader.io_uring_used: the io_uring variants and only they.
TEST(WaiterVariant, OnlyTheIoUringVariantsUseAnIoUring) {
  EXPECT_TRUE(uses_io_uring(ReaderVariant::uring_read));
  EXPECT_TRUE(uses_io_uring(ReaderVariant::uring_poll));
  EXPECT_TRUE(uses_io_uring(ReaderVariant::uring_mshot));
  EXPECT_FALSE(uses_io_uring(ReaderVariant::read));
  EXPECT_FALSE(uses_io_uring(ReaderVariant::epoll));
  EXPECT_FALSE(uses_io_uring(ReaderVariant::device_read));
  for (ReaderVariant v : all_variants())
    EXPECT_EQ(uses_io_uring(variant_name(v)), uses_io_uring(v));
  EXPECT_FALSE(uses_io_uring(std::string_view("bogus")));
}

}  // namespace
}  // namespace irqbridge
