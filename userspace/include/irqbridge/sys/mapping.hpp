// A move-only owner of an mmap()ed region.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <span>
#include <utility>

namespace irqbridge {

class Mapping {
 public:
  Mapping() noexcept = default;
  Mapping(void* addr, std::size_t length) noexcept : addr_(addr), length_(length) {}
  Mapping(Mapping&& other) noexcept
      : addr_(std::exchange(other.addr_, nullptr)), length_(std::exchange(other.length_, 0)) {}
  Mapping& operator=(Mapping&& other) noexcept {
    if (this != &other) {
      unmap();
      addr_ = std::exchange(other.addr_, nullptr);
      length_ = std::exchange(other.length_, 0);
    }
    return *this;
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { unmap(); }

  [[nodiscard]] std::span<std::byte> bytes() const noexcept {
    return {static_cast<std::byte*>(addr_), length_};
  }
  explicit operator bool() const noexcept { return addr_ != nullptr; }

 private:
  void unmap() noexcept {
    if (addr_ != nullptr) ::munmap(addr_, length_);
    addr_ = nullptr;
  }
  void* addr_ = nullptr;
  std::size_t length_ = 0;
};

// mmap(MAP_SHARED) of a file; an empty Mapping (errno set) on failure.
inline Mapping map_shared(int fd, std::size_t length, int prot, off_t offset = 0) {
  void* addr = ::mmap(nullptr, length, prot, MAP_SHARED, fd, offset);
  return addr == MAP_FAILED ? Mapping() : Mapping(addr, length);
}

}  // namespace irqbridge
