// Linked with mimalloc, as the naap binary is: KeepFreedMemoryFor sets mimalloc's decommit delay
// unless the environment chose one.
#include "base/memory.h"

#include <gtest/gtest.h>
#include <mimalloc.h>

#include "base/scoped_env.h"

namespace naap {
namespace {

TEST(KeepFreedMemoryFor, SetsMimallocsDecommitDelay) {
  mi_option_set(mi_option_decommit_delay, 25);
  KeepFreedMemoryFor(std::chrono::milliseconds(250));
  EXPECT_EQ(mi_option_get(mi_option_decommit_delay), 250);
}

TEST(KeepFreedMemoryFor, LeavesADelayTheEnvironmentChose) {
  mi_option_set(mi_option_decommit_delay, 40);
  ScopedEnv env("MIMALLOC_DECOMMIT_DELAY", "40");
  KeepFreedMemoryFor(std::chrono::milliseconds(250));
  EXPECT_EQ(mi_option_get(mi_option_decommit_delay), 40);
}

}  // namespace
}  // namespace naap
