#include "irqbridge/cpu_list.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "irqbridge/error.hpp"

namespace irqbridge {
namespace {

TEST(CpuList, AllIsEveryOnlineCpu) {
  EXPECT_EQ(parse_cpu_list("all", 4), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(parse_cpu_list("all", 1), (std::vector<int>{0}));
}

TEST(CpuList, NumbersAndRangesSorted) {
  EXPECT_EQ(parse_cpu_list("2", 4), (std::vector<int>{2}));
  EXPECT_EQ(parse_cpu_list("3,0-1", 4), (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(parse_cpu_list("1-1", 4), (std::vector<int>{1}));
}

TEST(CpuList, BadListsSayWhy) {
  for (const char* bad :
       {"", "x", "1,", ",1", "1-", "-1", "3-1", "1;2", "0x1", "4", "0-4", "1,1", "0-2,2"}) {
    try {
      parse_cpu_list(bad, 4);
      ADD_FAILURE() << "'" << bad << "' accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--cpus"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace irqbridge
