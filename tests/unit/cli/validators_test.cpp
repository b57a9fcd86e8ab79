// The CLI's validators (userspace/cli/validators.hpp): each refusal keeps
// the line and the status kind the CLI printed before CLI11 checked them.
#include "validators.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace irqbridge::cli {
namespace {

enum class Colour { red, green, blue };

const EnumOf<Colour>::Table kColours = {
    {"red", Colour::red}, {"green", Colour::green}, {"blue", Colour::blue}};

// Parses args (after the program name) into a fresh App built by add.
template <typename Add>
void Parse(std::vector<std::string> args, Add add) {
  CLI::App app;
  add(app);
  std::vector<const char*> argv = {"prog"};
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
}

TEST(EnumOf, NameBecomesItsEnumerator) {
  Colour c = Colour::red;
  Parse({"--colour", "blue"},
        [&](CLI::App& app) { app.add_option("--colour", c)->transform(EnumOf<Colour>(kColours)); });
  EXPECT_EQ(c, Colour::blue);
}

TEST(EnumOf, WithoutRefusalItIsCliElevensMessage) {
  Colour c = Colour::red;
  try {
    Parse({"--colour", "pink"}, [&](CLI::App& app) {
      app.add_option("--colour", c)->transform(EnumOf<Colour>(kColours));
    });
    FAIL() << "pink accepted";
  } catch (const CLI::ValidationError& e) {
    EXPECT_STREQ(e.what(), "--colour: pink not in {red,green,blue}") << "IsMember's wording";
  }
}

TEST(EnumOf, RefusalIsTheCliLineAsAnError) {
  Colour c = Colour::red;
  try {
    Parse({"--colour", "pink"}, [&](CLI::App& app) {
      app.add_option("--colour", c)->transform(EnumOf<Colour>(kColours, [](const std::string& v) {
        return "unknown --colour '" + v + "' (one of red, green, blue)";
      }));
    });
    FAIL() << "pink accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unknown --colour 'pink' (one of red, green, blue)");
  }
  EXPECT_EQ(c, Colour::red) << "left alone";
}

TEST(EnumOf, NumbersAreNamesToo) {
  // The enumerator's number is what CLI11 reads: typed by a user, refused.
  Colour c = Colour::red;
  EXPECT_THROW(Parse({"--colour", "1"},
                     [&](CLI::App& app) {
                       app.add_option("--colour", c)->transform(EnumOf<Colour>(kColours));
                     }),
               CLI::ValidationError);
}

const std::vector<std::string> kShapes = {"circle", "square"};

TEST(NameOf, KeepsTheNameAndShowsTheSet) {
  std::string shape = "circle";
  CLI::App app;
  app.add_option("--shape", shape)->check(NameOf(kShapes, [](const std::string& v) {
    return "unknown --shape '" + v + "'";
  }));
  EXPECT_NE(app.help().find("{circle,square}"), std::string::npos) << app.help();
  const std::vector<const char*> argv = {"prog", "--shape", "square"};
  app.parse(static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(shape, "square");
}

TEST(NameOf, RefusalIsTheCliLineAsAnError) {
  std::string shape = "circle";
  try {
    Parse({"--shape", "oval"}, [&](CLI::App& app) {
      app.add_option("--shape", shape)->check(NameOf(kShapes, [](const std::string& v) {
        return "unknown --shape '" + v + "' (one of circle, square)";
      }));
    });
    FAIL() << "oval accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unknown --shape 'oval' (one of circle, square)");
  }
  EXPECT_EQ(shape, "circle") << "left alone";
}

TEST(NameOf, WithoutRefusalItIsCliElevensMessage) {
  std::string shape;
  try {
    Parse({"--shape", "oval"},
          [&](CLI::App& app) { app.add_option("--shape", shape)->check(NameOf(kShapes)); });
    FAIL() << "oval accepted";
  } catch (const CLI::ValidationError& e) {
    EXPECT_STREQ(e.what(), "--shape: oval not in {circle,square}");
  }
}

TEST(ParsedBy, TheParsersErrorIsTheRefusalAndTheValueStaysWhole) {
  std::string list;
  std::vector<std::string> seen;
  const auto add = [&](CLI::App& app) {
    app.add_option("--list", list)->check(ParsedBy([&seen](const std::string& v) {
      seen.push_back(v);
      if (v.find(",,") != std::string::npos) throw Error("--list '" + v + "': an empty item");
    }));
  };
  Parse({"--list", "a,b"}, add);
  EXPECT_EQ(list, "a,b") << "not split by CLI11";
  EXPECT_EQ(seen, std::vector<std::string>{"a,b"}) << "the parser saw the whole string";
  try {
    Parse({"--list", "a,,b"}, add);
    FAIL() << "a,,b accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--list 'a,,b': an empty item");
  }
}

void AddCpus(CLI::App& app, std::string& cpus, int& cpu) {
  auto* c = app.add_option("--cpu", cpu);
  app.add_option("--cpus", cpus)->check(Without({c}, "--cpus: drop --cpu"));
}

TEST(Without, RefusesTheOtherOptionWithTheLine) {
  std::string cpus;
  int cpu = -1;
  try {
    Parse({"--cpus", "0", "--cpu", "1"}, [&](CLI::App& app) { AddCpus(app, cpus, cpu); });
    FAIL() << "--cpus with --cpu accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--cpus: drop --cpu");
  }
  // Either alone, and in the other order, as before.
  EXPECT_NO_THROW(Parse({"--cpus", "0"}, [&](CLI::App& app) { AddCpus(app, cpus, cpu); }));
  EXPECT_NO_THROW(Parse({"--cpu", "1"}, [&](CLI::App& app) { AddCpus(app, cpus, cpu); }));
  EXPECT_THROW(
      Parse({"--cpu", "1", "--cpus", "0"}, [&](CLI::App& app) { AddCpus(app, cpus, cpu); }), Error);
}

}  // namespace
}  // namespace irqbridge::cli
