// A move-only owner of a file descriptor.
#pragma once

#include <unistd.h>

#include "irqbridge/sys/scoped_resource.hpp"

namespace irqbridge {

inline void close_fd(int fd) noexcept { ::close(fd); }

using UniqueFd = ScopedResource<int, close_fd, -1>;

}  // namespace irqbridge
