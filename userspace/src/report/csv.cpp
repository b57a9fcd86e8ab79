#include "irqbridge/report/csv.hpp"

#include <fmt/format.h>

namespace irqbridge {

std::string csv_header() {
  return "mode,run,seq,expected_ns,raise_ns,top_ns,bottom_ns,chain_ns,signal_ns,user_ns,batch,"
         "status,top_cpu,bottom_cpu,chain_cpu\n";
}

std::string csv_line(std::string_view mode, unsigned run, const irqbridge_record& r,
                     std::uint64_t user_ns) {
  return fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", mode, run, r.seq,
                     r.expected_ns, r.raise_ns, r.top_ns, r.bottom_ns, r.chain_ns, r.signal_ns,
                     user_ns, r.batch, r.status, r.top.cpu, r.bottom.cpu, r.chain.cpu);
}

}  // namespace irqbridge
