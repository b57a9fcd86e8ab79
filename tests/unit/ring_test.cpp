// The ring consumer on a buffer laid out like the module's mapping, with a
// hand-written producer that follows the kernel's rules.
#include "irqbridge/ring.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "irqbridge/error.hpp"

namespace irqbridge {
namespace {

class FakeRing {
 public:
  explicit FakeRing(std::uint32_t nr)
      : nr_(nr), mem_(IRQBRIDGE_RING_RECORDS_OFFSET + nr * sizeof(irqbridge_record)) {
    header()->abi_version = IRQBRIDGE_ABI_VERSION;
    header()->record_size = sizeof(irqbridge_record);
    header()->nr_records = nr;
  }
  irqbridge_ring_header* header() { return reinterpret_cast<irqbridge_ring_header*>(mem_.data()); }
  std::span<std::byte> bytes() { return mem_; }

  // The kernel producer: drop and count when full.
  bool push(std::uint64_t seq) {
    auto* h = header();
    if (head_ - h->tail >= nr_) {
      h->overruns++;
      return false;
    }
    irqbridge_record r{};
    r.seq = seq;
    std::memcpy(mem_.data() + IRQBRIDGE_RING_RECORDS_OFFSET + (head_ & (nr_ - 1)) * sizeof(r), &r,
                sizeof(r));
    h->head = ++head_;
    return true;
  }

 private:
  std::uint32_t nr_;
  std::uint64_t head_ = 0;
  std::vector<std::byte> mem_;
};

TEST(Ring, EmptyDrainsNothing) {
  FakeRing fake(8);
  RingView ring(fake.bytes());
  std::vector<irqbridge_record> out;
  EXPECT_EQ(ring.drain(out), 0u);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(ring.capacity(), 8u);
}

TEST(Ring, WrapsAroundManyTimesInOrder) {
  FakeRing fake(4);
  RingView ring(fake.bytes());
  std::vector<irqbridge_record> out;
  std::uint64_t seq = 0;
  for (int round = 0; round < 50; round++) {
    for (int i = 0; i < 3; i++) ASSERT_TRUE(fake.push(seq++));
    ring.drain(out);
  }
  ASSERT_EQ(out.size(), 150u);
  for (std::uint64_t i = 0; i < out.size(); i++) EXPECT_EQ(out[i].seq, i);
  EXPECT_EQ(fake.header()->tail, 150u);
  EXPECT_EQ(ring.overruns(), 0u);
}

TEST(Ring, FullRingOverrunsUntilDrained) {
  FakeRing fake(4);
  RingView ring(fake.bytes());
  for (std::uint64_t s = 0; s < 4; s++) ASSERT_TRUE(fake.push(s));
  EXPECT_FALSE(fake.push(4)) << "a full ring must refuse";
  EXPECT_FALSE(fake.push(5));
  EXPECT_EQ(ring.overruns(), 2u);
  std::vector<irqbridge_record> out;
  EXPECT_EQ(ring.drain(out), 4u);
  EXPECT_TRUE(fake.push(6)) << "room again after the reader's tail moved";
  EXPECT_EQ(ring.drain(out), 1u);
  EXPECT_EQ(out.back().seq, 6u);
}

TEST(Ring, RejectsABadHeader) {
  FakeRing fake(4);
  fake.header()->abi_version = IRQBRIDGE_ABI_VERSION + 1;
  EXPECT_THROW(RingView{fake.bytes()}, Error);
  FakeRing fake2(4);
  fake2.header()->nr_records = 3;
  EXPECT_THROW(RingView{fake2.bytes()}, Error);
  FakeRing fake3(4);
  fake3.header()->nr_records = 1024;  // does not fit into the buffer
  EXPECT_THROW(RingView{fake3.bytes()}, Error);
  FakeRing fake4(4);
  fake4.header()->record_size = 8;
  EXPECT_THROW(RingView{fake4.bytes()}, Error);
}

TEST(Ring, AbsurdHeadIsAnError) {
  FakeRing fake(4);
  RingView ring(fake.bytes());
  fake.header()->head = 1000;  // more than the ring holds
  std::vector<irqbridge_record> out;
  EXPECT_THROW(ring.drain(out), Error);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace irqbridge
