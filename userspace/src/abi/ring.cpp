#include "irqbridge/abi/ring.hpp"

#include <atomic>
#include <cstring>
#include <string>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {

RingView::RingView(std::span<std::byte> memory)
    : header_(reinterpret_cast<irqbridge_ring_header*>(memory.data())),
      slots_(memory.data() + IRQBRIDGE_RING_RECORDS_OFFSET),
      nr_(0) {
  if (memory.size() < IRQBRIDGE_RING_RECORDS_OFFSET) throw Error("ring: mapping too small");
  if (header_->abi_version != IRQBRIDGE_ABI_VERSION)
    throw Error("ring: ABI version " + std::to_string(header_->abi_version) + ", reader has " +
                std::to_string(IRQBRIDGE_ABI_VERSION));
  if (header_->record_size != sizeof(irqbridge_record))
    throw Error("ring: record size " + std::to_string(header_->record_size) + ", reader has " +
                std::to_string(sizeof(irqbridge_record)));
  nr_ = header_->nr_records;
  if (nr_ == 0 || (nr_ & (nr_ - 1)) != 0) throw Error("ring: slot count is not a power of two");
  if (memory.size() < IRQBRIDGE_RING_RECORDS_OFFSET + std::size_t{nr_} * sizeof(irqbridge_record))
    throw Error("ring: slots do not fit into the mapping");
}

std::size_t RingView::drain(std::vector<irqbridge_record>& out) {
  std::atomic_ref<__u64> head_ref(header_->head);
  std::atomic_ref<__u64> tail_ref(header_->tail);
  const std::uint64_t head = head_ref.load(std::memory_order_acquire);
  std::uint64_t tail = tail_ref.load(std::memory_order_relaxed);
  if (head - tail > nr_)
    throw Error("ring: producer is " + std::to_string(head - tail) + " records ahead of a " +
                std::to_string(nr_) + "-slot ring");
  const std::size_t count = static_cast<std::size_t>(head - tail);
  out.reserve(out.size() + count);
  for (; tail != head; tail++) {
    irqbridge_record rec;
    std::memcpy(&rec, slots_ + (tail & (nr_ - 1)) * sizeof(irqbridge_record), sizeof(rec));
    out.push_back(rec);
  }
  tail_ref.store(tail, std::memory_order_release);
  return count;
}

std::uint64_t RingView::overruns() const {
  return std::atomic_ref<__u64>(header_->overruns).load(std::memory_order_relaxed);
}

}  // namespace irqbridge
