// The consumer side of the module's mmap'd record ring (layout in
// kmod/uapi/irqbridge.h). Works on any memory of that layout, so it is
// tested on a plain buffer.
#pragma once

#include <uapi/irqbridge.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace irqbridge {

class RingView {
 public:
  // Checks the header (ABI version, record size, power-of-two slots that
  // fit into memory). Throws Error on a mismatch.
  explicit RingView(std::span<std::byte> memory);

  // Copies every published record to out (acquire on head), then hands the
  // slots back (release on tail). Returns how many were copied. Throws
  // Error if head - tail exceeds the ring: a producer this reader cannot
  // trust.
  std::size_t drain(std::vector<irqbridge_record>& out);

  [[nodiscard]] std::uint64_t overruns() const;
  [[nodiscard]] std::uint32_t capacity() const { return nr_; }

 private:
  irqbridge_ring_header* header_;
  const std::byte* slots_;
  std::uint32_t nr_;
};

}  // namespace irqbridge
