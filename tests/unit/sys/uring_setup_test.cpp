// The reader's io_uring setup: which flags are tried, in which order, and
// what an old kernel's EINVAL leads to. No ring is made.
#include "irqbridge/sys/uring_setup.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "irqbridge/sys/error.hpp"

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

TEST(UringSetup, AForcedSetupIsTheOnlyOneTried) {
  FakeKernel k{kUringSingleIssuer | kUringDeferTaskrun | kUringCoopTaskrun, {}};
  EXPECT_EQ(choose_uring_setup([&k](std::uint32_t f) { return k(f); }, 0U), 0U);
  EXPECT_EQ(k.tried, (std::vector<std::uint32_t>{0}));
  // An old kernel's EINVAL for the forced setup is an error, not a fallback.
  FakeKernel old{0, {}};
  EXPECT_THROW(choose_uring_setup([&old](std::uint32_t f) { return old(f); }, kUringCoopTaskrun),
               Error);
  EXPECT_EQ(old.tried.size(), 1u);
}

TEST(UringSetup, ParsesTheEnvironmentOverride) {
  EXPECT_FALSE(parse_uring_setup(nullptr).has_value());
  EXPECT_FALSE(parse_uring_setup("").has_value());
  EXPECT_EQ(parse_uring_setup("none"), 0U);
  EXPECT_EQ(parse_uring_setup("COOP_TASKRUN"), kUringCoopTaskrun);
  EXPECT_EQ(parse_uring_setup("SINGLE_ISSUER|DEFER_TASKRUN"),
            kUringSingleIssuer | kUringDeferTaskrun);
  EXPECT_THROW(parse_uring_setup("SQPOLL"), Error);
  EXPECT_THROW(parse_uring_setup("COOP_TASKRUN|"), Error);
  // What the report prints parses back to the same flags.
  for (std::uint32_t f : uring_setup_candidates())
    EXPECT_EQ(parse_uring_setup(uring_setup_name(f).c_str()), f) << uring_setup_name(f);
}

TEST(UringSetup, UnknownBitsAreShownInHex) {
  EXPECT_EQ(uring_setup_name(kUringCoopTaskrun | 0x1U), "COOP_TASKRUN|0x1");
}

}  // namespace
}  // namespace irqbridge
