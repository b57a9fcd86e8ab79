// One error type for the whole reader: what() is one line meant for the user.
#pragma once

#include <stdexcept>
#include <string>

namespace irqbridge {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// An error after which the process's state cannot be trusted for another
// run (e.g. the reader could not be moved back off the timer's CPU): a
// sweep or bench stops instead of recording a failed point and going on.
class FatalError : public Error {
 public:
  using Error::Error;
};

}  // namespace irqbridge
