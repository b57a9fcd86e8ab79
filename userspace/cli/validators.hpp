// CLI11 validators of the CLI's own: each option's value is checked once,
// while CLI11 parses, with the message the CLI has always printed.
//
// A refusal is one of two kinds, as before these existed:
// - CLI11's ("--load: bogus not in {none,cpu,syscall}"): the validator
//   returns it, CLI11 throws CLI::ValidationError, the CLI exits 2;
// - the CLI's own line ("unknown --reader 'bogus' (one of ...)"): the
//   validator throws irqbridge::Error through CLI11, the CLI exits 1.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "irqbridge/sys/error.hpp"

namespace irqbridge::cli {

// "{a,b,c}": the set as CLI11's IsMember shows it (help and message).
inline std::string brace_set(const std::vector<std::string>& names) {
  std::string s = "{";
  for (const auto& n : names) s += (s.size() > 1 ? "," : "") + n;
  return s + "}";
}

// One line naming a refused value and what would have been accepted.
using Refusal = std::function<std::string(const std::string& value)>;

// A name out of one table, turned into its enumerator: the option's
// variable is the enum itself (CLI11 reads the enumerator's number the
// transformer leaves). Without a refusal, CLI11's IsMember wording, status
// 2, and the set shown in the help; with one, that line as an Error.
template <typename T>
class EnumOf : public CLI::Validator {
  static_assert(std::is_enum_v<T>);

 public:
  using Table = std::vector<std::pair<std::string, T>>;

  explicit EnumOf(Table table, Refusal refusal = {}) {
    std::vector<std::string> names;
    for (const auto& entry : table) names.push_back(entry.first);
    const std::string set = brace_set(names);
    if (!refusal) description(set);
    func_ = [table = std::move(table), refusal = std::move(refusal), set](std::string& value) {
      for (const auto& [name, e] : table) {
        if (name == value) {
          value = std::to_string(static_cast<std::underlying_type_t<T>>(e));
          return std::string();
        }
      }
      if (refusal) throw Error(refusal(value));
      return value + " not in " + set;
    };
  }
};

// A name out of a list, kept as the name: EnumOf for an option whose
// variable is the name itself (--source: the catalogue's source names).
// The set shown in the help either way, as IsMember shows it; a refused
// name: without a refusal, IsMember's wording, status 2; with one, that
// line as an Error.
class NameOf : public CLI::Validator {
 public:
  explicit NameOf(std::vector<std::string> names, Refusal refusal = {}) {
    const std::string set = brace_set(names);
    description(set);
    func_ = [names = std::move(names), refusal = std::move(refusal), set](std::string& value) {
      for (const auto& name : names)
        if (name == value) return std::string();
      if (refusal) throw Error(refusal(value));
      return value + " not in " + set;
    };
  }
};

// The whole value handed to a pure parser (a list: CLI11's delimiter would
// drop its empty items, see irqbridge/sys/list.hpp); the parser's Error,
// one line, is the refusal. The value is left as it was given.
inline CLI::Validator ParsedBy(std::function<void(const std::string&)> parse) {
  return CLI::Validator(
      [parse = std::move(parse)](std::string& value) {
        parse(value);
        return std::string();
      },
      "");
}

// The option may not be given with the others (given on the command line
// at all): CLI11's excludes, but refused with the CLI's line, as an Error.
inline CLI::Validator Without(std::vector<const CLI::Option*> others, std::string line) {
  return CLI::Validator(
      [others = std::move(others), line = std::move(line)](std::string&) {
        for (const CLI::Option* o : others)
          if (o->count() > 0) throw Error(line);
        return std::string();
      },
      "");
}

}  // namespace irqbridge::cli
