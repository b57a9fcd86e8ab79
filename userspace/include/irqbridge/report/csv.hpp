// Raw per-event samples as CSV: one line per event that reached the reader,
// all timestamps CLOCK_MONOTONIC ns. Pure formatting.
#pragma once

#include <uapi/irqbridge.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace irqbridge {

std::string csv_header();
std::string csv_line(std::string_view mode, unsigned run, const irqbridge_record& r,
                     std::uint64_t user_ns);

}  // namespace irqbridge
