// Linked with mimalloc, as the naap binary is: KeepFreedMemoryFor sets mimalloc's decommit delay
// and UseLargePages its large-page option, unless the environment chose them.
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

TEST(UseLargePages, TurnsOnMimallocsLargePages) {
  mi_option_set(mi_option_large_os_pages, 0);
  UseLargePages();
  EXPECT_TRUE(mi_option_is_enabled(mi_option_large_os_pages));
  mi_option_set(mi_option_large_os_pages, 0);
}

TEST(UseLargePages, LeavesTheEnvironmentsChoice) {
  mi_option_set(mi_option_large_os_pages, 0);
  ScopedEnv env("MIMALLOC_LARGE_OS_PAGES", "0");
  UseLargePages();
  EXPECT_FALSE(mi_option_is_enabled(mi_option_large_os_pages));
}

}  // namespace
}  // namespace naap
