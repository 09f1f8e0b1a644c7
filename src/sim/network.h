#pragma once
// The simulated network: the real orchestrators of a getNetworkCapabilities response (on-chain
// address, local hot-wallet key, service URI, offers, GPUs, prices). Snapshots re-publish each
// orchestrator object exactly as received, varying only the volatile members memory_free and
// capacityInUse, so every snapshot has the real shape and one stable content digest.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sim/random.h"

namespace naap::sim {

// A (pipeline, model) an orchestrator serves per request (capabilities 27–34 and 36).
struct RequestOffer {
  std::string pipeline;
  std::string model;
};

struct Orchestrator {
  std::string address;        // on-chain, wire form (EIP-55 mixed case)
  std::string address_lower;  // canonical identity
  std::string local_key;      // local hot-wallet key, lower-cased, as traces report it
  std::string uri;            // service URI
  std::string live_model;     // the capability-35 model, "" when it serves no live video
  int64_t live_price_wei_per_pixel = 0;
  std::vector<RequestOffer> request_offers;
};

class Network {
 public:
  // Parses a getNetworkCapabilities response ({"orchestrators":[...]}) or a bare array.
  static Result<Network> Parse(std::string_view capabilities_json);
  // The response embedded at build time (data/getNetworkCapabilities-2026.json).
  static Result<Network> Embedded();

  const std::vector<Orchestrator>& orchestrators() const { return orchestrators_; }
  // Appends a JSON array of every orchestrator object, each minified as received, with
  // memory_free and capacityInUse drawn afresh.
  void AppendSnapshotArray(Rng& rng, std::string& out) const;

 private:
  // A minified element split around its volatile numbers: text[0] slot[0] text[1] … text[n].
  struct Template {
    std::vector<std::string> texts;
    std::vector<int64_t> memory_free_base;  // per slot; < 0 marks a capacityInUse slot
  };
  std::vector<Orchestrator> orchestrators_;
  std::vector<Template> templates_;
};

std::string_view EmbeddedNetworkCapabilities();

}  // namespace naap::sim
