// One error type for the whole reader: what() is one line meant for the user.
#pragma once

#include <stdexcept>
#include <string>

namespace irqbridge {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace irqbridge
