// The one comma splitter (irqbridge/sys/list.hpp), and why it exists:
// CLI11's own delimiter drops empty items before any check sees them.
#include "irqbridge/sys/list.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace irqbridge {
namespace {

using Items = std::vector<std::string_view>;

TEST(SplitList, KeepsEveryItemEmptyOnesIncluded) {
  EXPECT_EQ(split_list("tasklet"), (Items{"tasklet"}));
  EXPECT_EQ(split_list("a,b,c"), (Items{"a", "b", "c"}));
  EXPECT_EQ(split_list("a,,b"), (Items{"a", "", "b"}));
  EXPECT_EQ(split_list(",a"), (Items{"", "a"}));
  EXPECT_EQ(split_list("a,"), (Items{"a", ""}));
  EXPECT_EQ(split_list(","), (Items{"", ""}));
  EXPECT_EQ(split_list(""), (Items{""})) << "an empty list is one empty item, for the caller";
  EXPECT_EQ(split_list("0-3, 5"), (Items{"0-3", " 5"})) << "no trimming: the item as typed";
}

// The reason split_list exists: CLI11 2.1.2's ->delimiter(',') gives the
// option's checks and variable "a,,b" as {a, b} and "a," as {a}. If this
// fails, CLI11 keeps empty items now and its delimiter could replace the
// whole-string checks of userspace/cli/options.cpp.
TEST(SplitList, Cli11DelimiterDropsEmptyItems) {
  for (const auto& [given, seen] :
       {std::pair<std::string, std::vector<std::string>>{"a,,b", {"a", "b"}},
        {",a", {"a"}},
        {"a,", {"a"}}}) {
    std::vector<std::string> items;
    std::vector<std::string> checked;
    CLI::App app;
    app.add_option("--list", items)->delimiter(',')->each([&checked](const std::string& item) {
      checked.push_back(item);
    });
    const std::vector<const char*> argv = {"prog", "--list", given.c_str()};
    app.parse(static_cast<int>(argv.size()), argv.data());
    EXPECT_EQ(items, seen) << given;
    EXPECT_EQ(checked, seen) << given << ": each() never sees the empty item";
  }
}

}  // namespace
}  // namespace irqbridge
