// The reader's io_uring setup: which flags are tried, in which order, and
// what an old kernel's EINVAL leads to. No ring is made.
#include "irqbridge/uring_setup.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "irqbridge/error.hpp"

namespace irqbridge {
namespace {

// A kernel that knows the flags in `known`: EINVAL for any other bit.
struct FakeKernel {
  std::uint32_t known = 0;
  std::vector<std::uint32_t> tried;
  int operator()(std::uint32_t flags) {
    tried.push_back(flags);
    return (flags & ~known) ? -EINVAL : 0;
  }
};

std::uint32_t choose(FakeKernel& k) {
  return choose_uring_setup([&k](std::uint32_t f) { return k(f); });
}

TEST(UringSetup, NewKernelGetsSingleIssuerAndDeferTaskrun) {
  FakeKernel k{kUringSingleIssuer | kUringDeferTaskrun | kUringCoopTaskrun, {}};
  EXPECT_EQ(choose(k), kUringSingleIssuer | kUringDeferTaskrun);
  EXPECT_EQ(k.tried.size(), 1u);
  EXPECT_EQ(uring_setup_name(kUringSingleIssuer | kUringDeferTaskrun),
            "SINGLE_ISSUER|DEFER_TASKRUN");
}

TEST(UringSetup, SixZeroHasSingleIssuerButNoDeferTaskrun) {
  FakeKernel k{kUringSingleIssuer | kUringCoopTaskrun, {}};
  EXPECT_EQ(choose(k), kUringSingleIssuer | kUringCoopTaskrun);
  EXPECT_EQ(k.tried, (std::vector<std::uint32_t>{kUringSingleIssuer | kUringDeferTaskrun,
                                                 kUringSingleIssuer | kUringCoopTaskrun}));
}

TEST(UringSetup, FiveNineteenFallsBackToCoopTaskrun) {
  FakeKernel k{kUringCoopTaskrun, {}};
  EXPECT_EQ(choose(k), kUringCoopTaskrun);
  EXPECT_EQ(k.tried.size(), 3u);
  EXPECT_EQ(uring_setup_name(choose(k)), "COOP_TASKRUN");
}

TEST(UringSetup, OlderKernelsGetThePlainRing) {
  FakeKernel k{0, {}};
  EXPECT_EQ(choose(k), 0u);
  EXPECT_EQ(k.tried.back(), 0u);
  EXPECT_EQ(k.tried.size(), uring_setup_candidates().size());
  EXPECT_EQ(uring_setup_name(0), "none");
}

TEST(UringSetup, AnErrorOtherThanEinvalIsNotAFallback) {
  std::vector<std::uint32_t> tried;
  try {
    choose_uring_setup([&](std::uint32_t f) {
      tried.push_back(f);
      return -ENOMEM;
    });
    FAIL() << "ENOMEM must not fall back";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("SINGLE_ISSUER|DEFER_TASKRUN"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(std::strerror(ENOMEM)), std::string::npos) << e.what();
  }
  EXPECT_EQ(tried.size(), 1u);
}

TEST(UringSetup, EinvalForThePlainRingIsAnError) {
  EXPECT_THROW(choose_uring_setup([](std::uint32_t) { return -EINVAL; }), Error);
}

TEST(UringSetup, UnknownBitsAreShownInHex) {
  EXPECT_EQ(uring_setup_name(kUringCoopTaskrun | 0x1U), "COOP_TASKRUN|0x1");
}

}  // namespace
}  // namespace irqbridge
