// How the reader waits on the eventfd the bottom half signals: four
// variants behind one interface, so their cost per wake-up can be compared.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "irqbridge/sys/uring_setup.hpp"

namespace irqbridge {

enum class ReaderVariant {
  uring_read,   // io_uring IORING_OP_READ of the counter (the default)
  read,         // a blocking read(2)
  epoll,        // epoll_wait(2), then read(2)
  uring_poll,   // one io_uring multishot poll, then read(2)
  device_read,  // poll(2) + read(2) of the session's own file (pended IRP)
  uring_mshot,  // io_uring IORING_OP_READ_MULTISHOT (6.7+) into provided buffers
};

std::string_view variant_name(ReaderVariant v);
std::optional<ReaderVariant> parse_variant(std::string_view name);
std::span<const ReaderVariant> all_variants();
std::string_view variant_description(ReaderVariant v);
// Whether the variant waits through an io_uring (then the reader's
// io_uring_setup is the ring it ran with); false for a name that is no
// variant.
bool uses_io_uring(ReaderVariant v);
bool uses_io_uring(std::string_view name);

class Waiter {
 public:
  Waiter() = default;
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;
  Waiter(Waiter&&) = delete;
  Waiter& operator=(Waiter&&) = delete;
  virtual ~Waiter() = default;

  // The eventfd to hand to the module.
  [[nodiscard]] virtual int eventfd() const = 0;
  // The session's file (/dev/irqbridge or a channel), for variants that
  // wait on it rather than on the eventfd; the others ignore it.
  virtual void attach_device(int /*fd*/) {}
  // Events since the previous successful wait (the counter, read and
  // reset), or nullopt if none arrived within timeout.
  virtual std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout) = 0;
  // CPU time (ns) of any helper thread the variant runs besides the
  // reader, so far: part of what the reader costs (the read variant's
  // watchdog; 0 for the others).
  [[nodiscard]] virtual std::uint64_t helper_cpu_ns() const { return 0; }
};

// Throws Error if the kernel refuses what the variant needs.
std::unique_ptr<Waiter> make_waiter(ReaderVariant variant);

// The setup the io_uring variants get on this kernel (a ring made and
// closed on the calling thread); throws Error if there is no io_uring.
UringSetup probe_uring_setup();

}  // namespace irqbridge
