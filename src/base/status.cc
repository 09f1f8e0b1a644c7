#include "base/status.h"

namespace naap {

std::string Status::ToString() const {
  static const char* const kNames[] = {"OK",          "INVALID_ARGUMENT", "NOT_FOUND", "IO_ERROR",
                                       "CORRUPTION",  "UNAVAILABLE",      "INTERNAL"};
  if (ok()) return "OK";
  return std::string(kNames[static_cast<int>(code_)]) + ": " + message_;
}

}  // namespace naap
