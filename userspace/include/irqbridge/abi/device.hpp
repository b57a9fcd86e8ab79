// /dev/irqbridge: open, ioctls, ring mapping. Every failure is an Error with
// a one-line message saying what to do.
#pragma once

#include <uapi/irqbridge.h>

#include <optional>
#include <string>

#include "irqbridge/sys/mapping.hpp"
#include "irqbridge/sys/unique_fd.hpp"

namespace irqbridge {

// The module's version string, read within its fixed array: a module that
// filled every byte without a NUL gives at most sizeof(module_version) chars.
std::string module_version(const irqbridge_info& info);

class Device {
 public:
  explicit Device(std::string path);

  [[nodiscard]] const irqbridge_info& info() const { return info_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  // The open file (for async-signal-safe cleanup only: StopOnSignal).
  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] Mapping map_ring() const;

  void set_eventfd(int fd);
  void configure(const irqbridge_config& config);
  void start();
  void stop();
  [[nodiscard]] irqbridge_stats stats() const;
  // What the top halves cost; zeros from a module without GET_COST.
  [[nodiscard]] irqbridge_cost cost() const;
  // The module's catalogue (GET_CATALOGUE); nullopt from a module without it.
  [[nodiscard]] std::optional<irqbridge_catalogue> catalogue() const;
  // A channel: a session of its own on the same module (own timer, bottom
  // halves, eventfd and ring), for one top half per CPU.
  [[nodiscard]] Device new_channel() const;

 private:
  Device(std::string path, UniqueFd fd);
  void read_info();

  std::string path_;
  UniqueFd fd_;
  irqbridge_info info_{};
};

}  // namespace irqbridge
