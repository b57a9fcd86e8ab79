#include <array>

#include "irqbridge/run/waiter/waiter.hpp"

namespace irqbridge {

namespace {

struct VariantInfo {
  ReaderVariant variant;
  std::string_view name;
  std::string_view description;
  bool io_uring;  // waits through an io_uring (reader.io_uring_setup applies)
};

constexpr std::array<VariantInfo, 6> kVariants = {{
    {ReaderVariant::uring_read, "uring-read",
     "io_uring IORING_OP_READ of the counter (one submit+wait per wake-up)", true},
    {ReaderVariant::read, "read", "a blocking read(2) (one syscall per wake-up)", false},
    {ReaderVariant::epoll, "epoll", "epoll_wait(2) then read(2) (two syscalls per wake-up)", false},
    {ReaderVariant::uring_poll, "uring-poll",
     "one io_uring multishot poll, then read(2) (a wait and a read per wake-up)", true},
    {ReaderVariant::device_read, "device-read",
     "poll(2) then read(2) of the device itself, woken by the bottom half's wait queue (the "
     "pended-IRP pattern; two syscalls per wake-up)",
     false},
    {ReaderVariant::uring_mshot, "uring-mshot",
     "one io_uring IORING_OP_READ_MULTISHOT of the counter into provided buffers (Linux 6.7+; "
     "a wait per wake-up, no submission)",
     true},
}};

constexpr std::array<ReaderVariant, 6> kAll = {
    ReaderVariant::uring_read, ReaderVariant::read,        ReaderVariant::epoll,
    ReaderVariant::uring_poll, ReaderVariant::device_read, ReaderVariant::uring_mshot};

const VariantInfo& info(ReaderVariant v) {
  for (const auto& i : kVariants)
    if (i.variant == v) return i;
  return kVariants[0];
}

}  // namespace

std::string_view variant_name(ReaderVariant v) { return info(v).name; }
std::string_view variant_description(ReaderVariant v) { return info(v).description; }
std::span<const ReaderVariant> all_variants() { return kAll; }
bool uses_io_uring(ReaderVariant v) { return info(v).io_uring; }

bool uses_io_uring(std::string_view name) {
  const auto v = parse_variant(name);
  return v && uses_io_uring(*v);
}

std::optional<ReaderVariant> parse_variant(std::string_view name) {
  for (const auto& i : kVariants)
    if (i.name == name) return i.variant;
  return std::nullopt;
}

}  // namespace irqbridge
