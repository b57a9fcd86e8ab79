// A move-only owner of an mmap()ed region.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <span>

#include "irqbridge/sys/scoped_resource.hpp"

namespace irqbridge {

// Where a mapping is and how long: what munmap() needs.
struct MappedRegion {
  void* addr = nullptr;
  std::size_t length = 0;
  bool operator==(const MappedRegion&) const = default;
};

inline void unmap_region(MappedRegion r) noexcept { ::munmap(r.addr, r.length); }

class Mapping {
 public:
  Mapping() noexcept = default;
  Mapping(void* addr, std::size_t length) noexcept : region_({addr, length}) {}

  [[nodiscard]] std::span<std::byte> bytes() const noexcept {
    return {static_cast<std::byte*>(region_.get().addr), region_.get().length};
  }
  explicit operator bool() const noexcept { return static_cast<bool>(region_); }

 private:
  ScopedResource<MappedRegion, unmap_region> region_;
};

// mmap(MAP_SHARED) of a file; an empty Mapping (errno set) on failure.
inline Mapping map_shared(int fd, std::size_t length, int prot, off_t offset = 0) {
  void* addr = ::mmap(nullptr, length, prot, MAP_SHARED, fd, offset);
  return addr == MAP_FAILED ? Mapping() : Mapping(addr, length);
}

}  // namespace irqbridge
