#include "irqbridge/report/csv.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace irqbridge {
namespace {

TEST(Csv, LineMatchesHeader) {
  irqbridge_record r{};
  r.seq = 7;
  r.expected_ns = 1000;
  r.top_ns = 1100;
  r.top.cpu = 1;
  const std::string h = csv_header();
  const std::string l = csv_line("tasklet", 2, r, 5000);
  EXPECT_EQ(std::count(h.begin(), h.end(), ','), std::count(l.begin(), l.end(), ','));
  EXPECT_EQ(l.rfind("tasklet,2,7,1000,0,1100,", 0), 0u) << l;
  EXPECT_EQ(l.back(), '\n');
}

}  // namespace
}  // namespace irqbridge
