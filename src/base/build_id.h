#pragma once
// The running program's GNU build id (the linker's NT_GNU_BUILD_ID note), lower-case hex: the
// same for two builds of identical code and options, different as soon as either changes.
// "" when the program carries none.
#include <string>

namespace naap {

std::string BuildId();

}  // namespace naap
