// One run of one mode against the device: configure, start, wait for every
// event, stop, collect. The I/O half of the reader.
#pragma once

#include <cstdint>

#include "irqbridge/device.hpp"
#include "irqbridge/modes.hpp"
#include "irqbridge/progress.hpp"
#include "irqbridge/report.hpp"

namespace irqbridge {

struct RunSettings {
  const ModeInfo* mode = nullptr;
  const SourceInfo* source = nullptr;  // the effective source
  std::uint64_t period_ns = 1000000;
  std::uint64_t events = 1000;
  std::uint32_t work_ns = 0;
  std::uint32_t sleep_us = 0;
};

ModeResult run_mode(Device& device, const RunSettings& settings, Progress& progress);

}  // namespace irqbridge
