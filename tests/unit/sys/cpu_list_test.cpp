#include "irqbridge/sys/cpu_list.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {
namespace {

const std::vector<int> kFour{0, 1, 2, 3};

TEST(CpuList, AllIsEveryUsableCpu) {
  EXPECT_EQ(parse_cpu_list("all", kFour), kFour);
  EXPECT_EQ(parse_cpu_list("all", std::vector<int>{0}), (std::vector<int>{0}));
}

// CPU 1 offline, or a cpuset of 2,3,6: "all" and the checks follow the
// real set, not 0 .. N-1.
TEST(CpuList, HolesInTheUsableSetAreRespected) {
  const std::vector<int> cpuset{2, 3, 6};
  EXPECT_EQ(parse_cpu_list("all", cpuset), cpuset);
  EXPECT_EQ(parse_cpu_list("6,2", cpuset), (std::vector<int>{2, 6}));
  EXPECT_THROW(parse_cpu_list("0", cpuset), Error) << "CPU 0 is outside the cpuset";
  EXPECT_THROW(parse_cpu_list("2-4", cpuset), Error) << "CPU 4 is outside the cpuset";
  try {
    parse_cpu_list("1", cpuset);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("2-3,6"), std::string::npos) << e.what();
  }
  const std::vector<int> offline{0, 2, 3};  // CPU 1 offline
  EXPECT_EQ(parse_cpu_list("all", offline), offline);
  EXPECT_THROW(parse_cpu_list("0-1", offline), Error);
}

TEST(CpuList, FormatsRanges) {
  EXPECT_EQ(format_cpu_list(std::vector<int>{0, 1, 2, 5}), "0-2,5");
  EXPECT_EQ(format_cpu_list(std::vector<int>{3}), "3");
  EXPECT_EQ(format_cpu_list(std::vector<int>{}), "");
}

TEST(CpuList, NumbersAndRangesSorted) {
  EXPECT_EQ(parse_cpu_list("2", kFour), (std::vector<int>{2}));
  EXPECT_EQ(parse_cpu_list("3,0-1", kFour), (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(parse_cpu_list("1-1", kFour), (std::vector<int>{1}));
}

TEST(CpuList, BadListsSayWhy) {
  for (const char* bad : {"", "x", "1,", ",1", "0,,1", ",", "1-", "-1", "3-1", "1;2", "0x1", "4",
                          "0-4", "1,1", "0-2,2", "1-2,0-1"}) {
    try {
      parse_cpu_list(bad, kFour);
      ADD_FAILURE() << "'" << bad << "' accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--cpus"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace irqbridge
