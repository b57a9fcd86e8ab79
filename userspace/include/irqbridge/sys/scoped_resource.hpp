// A move-only owner of one resource: a value and the function that
// releases it (the pattern of perfetto's ScopedResource). Each owner of the
// reader is one line: ScopedResource<int, close_fd, -1> is a file
// descriptor.
#pragma once

#include <utility>

namespace irqbridge {

// Release(value) is called once for a value that is not Invalid: on
// destruction, reset() and move assignment. Release must not throw.
template <typename T, auto Release, T Invalid = T{}>
class ScopedResource {
 public:
  ScopedResource() noexcept = default;
  explicit ScopedResource(T value) noexcept : value_(value) {}
  ScopedResource(ScopedResource&& other) noexcept : value_(other.release()) {}
  ScopedResource& operator=(ScopedResource&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ScopedResource(const ScopedResource&) = delete;
  ScopedResource& operator=(const ScopedResource&) = delete;
  ~ScopedResource() { reset(); }

  [[nodiscard]] const T& get() const noexcept { return value_; }
  explicit operator bool() const noexcept { return !(value_ == Invalid); }

  // Gives the value up without releasing it.
  T release() noexcept { return std::exchange(value_, Invalid); }
  // Releases the value held (if any) and holds value.
  void reset(T value = Invalid) noexcept {
    if (!(value_ == Invalid)) Release(value_);
    value_ = value;
  }

 private:
  T value_ = Invalid;
};

}  // namespace irqbridge
