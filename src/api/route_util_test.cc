// route_util's memoized loads over a LocalBackend with the real sample: one shared value per
// (data clock, org) within a data version, a fresh one after ingest bumps the version, and the
// same contents as an uncached backend.
#include "api/route_util.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "api/local_backend.h"
#include "api/read_cache.h"
#include "base/time.h"
#include "store/store.h"

namespace naap::api::route_util {
namespace {

constexpr char kD003[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";
constexpr Millis kSampleClock = 1'767'909'115'610;  // the sample's newest event

class RouteUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::OpenStore("memory:"));
    auto backend = LocalBackend::Open(*store_, clock_, ApiConfig{});
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    backend_ = std::move(*backend);
    Ingest();
  }
  void Ingest() {
    auto counts = backend_->IngestFiles({kSample});
    ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  }

  const std::string kSample =
      std::string(NAAP_SHARED_DIR) + "/data/livepeer-events-2026-01-08.json";
  FakeClock clock_{kSampleClock + kHourMs};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<LocalBackend> backend_;
};

TEST_F(RouteUtilTest, CurrentInventoryIsSharedWithinADataVersion) {
  auto first = LoadCurrentInventory(*backend_, kSampleClock);
  auto second = LoadCurrentInventory(*backend_, kSampleClock);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->get(), second->get());
  // The sample's one GPU: an RTX 5090 of 0xd003….
  ASSERT_EQ((*first)->gpus.size(), 1u);
  EXPECT_EQ((*first)->gpus[0].orch_address, kD003);
  // Another org is another entry, and an org without data has no inventory.
  auto other = LoadCurrentInventory(*backend_, kSampleClock, "nobody");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->get(), first->get());
  EXPECT_TRUE((*other)->gpus.empty());
  EXPECT_TRUE((*other)->orchestrators.empty());
}

TEST_F(RouteUtilTest, IngestBumpsTheVersionAndTheLoadIsRecomputed) {
  const uint64_t before = backend_->DataVersion();
  auto first = LoadCurrentInventory(*backend_, kSampleClock);
  auto ids = LoadIdentities(*backend_, kSampleClock);
  ASSERT_TRUE(first.ok() && ids.ok());
  Ingest();  // every line a duplicate, but the run read lines
  EXPECT_GT(backend_->DataVersion(), before);
  auto again = LoadCurrentInventory(*backend_, kSampleClock);
  auto ids_again = LoadIdentities(*backend_, kSampleClock);
  ASSERT_TRUE(again.ok() && ids_again.ok());
  EXPECT_NE(again->get(), first->get());
  EXPECT_NE(ids_again->get(), ids->get());
  EXPECT_EQ((*again)->gpus.size(), (*first)->gpus.size());
  EXPECT_EQ((*ids_again)->NameOf(kD003), (*ids)->NameOf(kD003));
}

TEST_F(RouteUtilTest, WithoutADataClockNothingIsCurrentOrCached) {
  const int64_t misses = backend_->read_cache()->misses();
  auto current = LoadCurrentInventory(*backend_, std::nullopt);
  auto ids = LoadIdentities(*backend_, std::nullopt);
  ASSERT_TRUE(current.ok() && ids.ok());
  EXPECT_TRUE((*current)->orchestrators.empty());
  EXPECT_TRUE((*ids)->all.empty());
  EXPECT_EQ((*ids)->NameOf(kD003), kD003);
  EXPECT_EQ(backend_->read_cache()->misses(), misses);
}

TEST_F(RouteUtilTest, IdentitiesKnowTheSampleOrchestrator) {
  auto ids = LoadIdentities(*backend_, kSampleClock);
  ASSERT_TRUE(ids.ok());
  ASSERT_NE((*ids)->Find(kD003), nullptr);
  EXPECT_EQ((*ids)->Find("0x0000000000000000000000000000000000000000"), nullptr);
  // Last seen within 10 min of the sample's newest event.
  EXPECT_TRUE((*ids)->IsActive(kD003));
  EXPECT_EQ((*ids)->RawCapabilitiesOf("unknown"), "");
}

}  // namespace
}  // namespace naap::api::route_util
