// One error type for the whole reader: what() is one line meant for the user.
#pragma once

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

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

// "what: No such file or directory": a failed call in one line. err is
// errno by default (read where the call is written, before anything else
// can change it); pass it explicitly for APIs that return the error
// (pthread, -ret of liburing).
inline std::string errno_message(std::string_view what, int err = errno) {
  std::string out(what);
  out += ": ";
  out += std::strerror(err);
  return out;
}

// Throws Error(errno_message(what, err)).
[[noreturn]] inline void throw_errno(std::string_view what, int err = errno) {
  throw Error(errno_message(what, err));
}

}  // namespace irqbridge
