#include "irqbridge/abi/device.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {
namespace {}  // namespace

std::string module_version(const irqbridge_info& info) {
  return {info.module_version, ::strnlen(info.module_version, sizeof(info.module_version))};
}

Device::Device(std::string path) : path_(std::move(path)) {
  fd_.reset(::open(path_.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd_) {
    const int err = errno;
    switch (err) {
      case ENOENT:
        throw Error(path_ + " not found: load the module first (insmod irqbridge.ko)");
      case EACCES:
      case EPERM:
        throw Error(path_ +
                    ": permission denied: run as root or as a member of the device's group");
      case EBUSY:
        throw Error(path_ + " is busy: another irqbridge session has it open");
      default:
        throw_errno(path_, err);
    }
  }
  read_info();
}

Device::Device(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {
  read_info();
}

void Device::read_info() {
  if (::ioctl(fd_.get(), IRQBRIDGE_IOC_GET_INFO, &info_) != 0)
    throw Error(errno_message(path_ + ": GET_INFO failed") + " (not an irqbridge device?)");
  if (info_.abi_version != IRQBRIDGE_ABI_VERSION)
    throw Error("module ABI version " + std::to_string(info_.abi_version) +
                ", this reader speaks " + std::to_string(IRQBRIDGE_ABI_VERSION) +
                ": rebuild one of them");
  if (info_.record_size != sizeof(irqbridge_record))
    throw Error("module record size " + std::to_string(info_.record_size) + ", reader expects " +
                std::to_string(sizeof(irqbridge_record)) + ": rebuild one of them");
}

Device Device::new_channel() const {
  const int fd = ::ioctl(fd_.get(), IRQBRIDGE_IOC_NEW_CHANNEL, 0);
  if (fd < 0) {
    const int err = errno;
    switch (err) {
      case ENOTTY:
        throw Error(path_ + ": the module has no channels (older than this reader): rebuild it");
      case EMFILE:
        throw Error(path_ + ": too many channels (at most " +
                    std::to_string(IRQBRIDGE_SESSIONS_MAX - 1) + " besides the device)");
      default:
        throw_errno(path_ + ": NEW_CHANNEL failed", err);
    }
  }
  return Device(path_ + " (channel)", UniqueFd(fd));
}

Mapping Device::map_ring() const {
  Mapping ring =
      map_shared(fd_.get(), static_cast<std::size_t>(info_.ring_bytes), PROT_READ | PROT_WRITE);
  if (!ring) throw_errno(path_ + ": mapping the record ring failed");
  return ring;
}

void Device::set_eventfd(int fd) {
  __s32 value = fd;
  if (::ioctl(fd_.get(), IRQBRIDGE_IOC_SET_EVENTFD, &value) != 0)
    throw_errno(path_ + ": attaching the eventfd failed");
}

void Device::configure(const irqbridge_config& config) {
  if (::ioctl(fd_.get(), IRQBRIDGE_IOC_CONFIGURE, &config) == 0) return;
  int err = errno;
  if (err == ENOTTY && config.burst == 1) {
    // A module older than the burst field: its layout, without it.
    irqbridge_config v1 = config;
    v1.size = IRQBRIDGE_CONFIG_SIZE_V1;
    if (::ioctl(fd_.get(), IRQBRIDGE_IOC_CONFIGURE_V1, &v1) == 0) return;
    err = errno;
  }
  switch (err) {
    case ENOTTY:
      throw Error(path_ + ": the module has no --burst (older than this reader): rebuild it");
    case ENODEV:
      throw Error("the interrupt source is not present (the edu source needs QEMU's -device edu)");
    case EOPNOTSUPP:
      throw Error("the mode is not supported by this kernel");
    case EINVAL:
      throw Error(fmt::format(
          "the module refused the settings: period {} .. {} ns, events 1 .. {}, work up to {} ns "
          "(a mode that needs an interrupt: at most half the period, its thread is SCHED_FIFO; "
          "none in the top half), sleep up to {} us and only in modes that may sleep "
          "(irqbridge info --json lists each mode's capabilities), burst 1 .. {} top halves "
          "per expiry and at most {} per second, 1 from the edu device",
          IRQBRIDGE_PERIOD_MIN_NS, IRQBRIDGE_PERIOD_MAX_NS, IRQBRIDGE_EVENTS_MAX,
          IRQBRIDGE_WORK_MAX_NS, IRQBRIDGE_SLEEP_MAX_US, IRQBRIDGE_BURST_MAX,
          IRQBRIDGE_CPU_RATE_MAX));
    default:
      throw_errno(path_ + ": CONFIGURE failed", err);
  }
}

void Device::start() {
  if (::ioctl(fd_.get(), IRQBRIDGE_IOC_START, 0) == 0) return;
  const int err = errno;
  switch (err) {
    case EBUSY:
      throw Error(path_ + ": START refused: the interrupt source is taken by another session, or " +
                  "the sessions started on this CPU would raise more than " +
                  std::to_string(IRQBRIDGE_CPU_RATE_MAX) + " top halves per second");
    case ENODEV:
      throw Error(path_ + ": START refused: the interrupt source's device was removed");
    default:
      throw_errno(path_ + ": START failed", err);
  }
}

void Device::stop() {
  if (::ioctl(fd_.get(), IRQBRIDGE_IOC_STOP, 0) != 0) throw_errno(path_ + ": STOP failed");
}

irqbridge_stats Device::stats() const {
  irqbridge_stats st{};
  if (::ioctl(fd_.get(), IRQBRIDGE_IOC_GET_STATS, &st) != 0)
    throw_errno(path_ + ": GET_STATS failed");
  return st;
}

irqbridge_cost Device::cost() const {
  irqbridge_cost c{};
  if (::ioctl(fd_.get(), IRQBRIDGE_IOC_GET_COST, &c) != 0) {
    if (errno == ENOTTY) return irqbridge_cost{};
    throw_errno(path_ + ": GET_COST failed");
  }
  return c;
}

std::optional<irqbridge_catalogue> Device::catalogue() const {
  irqbridge_catalogue c{};
  if (::ioctl(fd_.get(), IRQBRIDGE_IOC_GET_CATALOGUE, &c) != 0) {
    if (errno == ENOTTY) return std::nullopt;
    throw_errno(path_ + ": GET_CATALOGUE failed");
  }
  return c;
}

}  // namespace irqbridge
