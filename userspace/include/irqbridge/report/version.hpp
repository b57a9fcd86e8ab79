// The version of this build, from git (git describe), in one generated
// file so that a new commit recompiles one file, not all of them.
#pragma once

namespace irqbridge {

const char* version();

}  // namespace irqbridge
