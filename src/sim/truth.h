#pragma once
// Ground truth of one simulator run: what a correct decoder (spec/events.md §3.1, §7.1) and
// resolver (spec/analytics.md §2.2–§3, §2.6) must report for the lines written. It is complete
// once Generator::Next has returned false.
//
// Line classes: every line written counts once in `lines` and in exactly one of accepted,
// ignored[reason], rejected[reason], duplicates, in total and under its org ("" for malformed
// lines: they have no readable wrapper topic). A re-delivered copy (same bytes), a copy of a
// malformed or empty-id line (same SHA-256) and a re-drained worker_lifecycle (new id, same
// data.id) are duplicates; whichever copy arrives first is the one classified.
//
// Streams, per org, keyed "<orch_address>|<model>", one count per requested session (a session
// whose gateway_receive_stream_request was written), counted once for the whole run:
//   orch_address = lower-cased on-chain address of the orchestrator named (through its service
//     URI) by the session's last written evidence event that carries orchestrator_info; that is
//     the identity of its latest selection (analytics §2.3). "" when no such event was written.
//   model = that orchestrator's capability-35 model (every live orchestrator offers exactly one,
//     so the decision model); "" for a session without orchestrator evidence (its hints carry
//     only the pipeline).
//   requested = sessions; startup_success = those whose gateway_receive_few_processed_segments
//     was written; swapped = those whose orchestrator_swap trace was written (confirmed swaps;
//     the simulator never changes orchestrator without one, so there are no inferred swaps).
// no_orchestrator_sessions[org] = sessions with a gateway_no_orchestrators_available trace and
//   no orchestrator evidence (selection_outcome no_orch).
// jobs[org][name]: AI-batch jobs by canonical pipeline (one per request_id with a written
//   ai_batch_request_completed) and BYOC jobs by capability (one per job_gateway completed
//   event); success = those whose completion says success = true.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace naap::sim {

enum class Org : uint8_t { kNone, kCloudspe, kDaydream, kCount };
std::string_view OrgName(Org org);
std::string_view OrgTopic(Org org);  // Kafka topic of the org; "" for kNone

// The 14 accepted families (spec/events.md §4.0).
enum class Family : uint8_t {
  kStreamTrace, kAiStreamStatus, kAiStreamEvents, kStreamIngestMetrics, kNetworkCapabilities,
  kDiscoveryResults, kCreateNewPayment, kAiBatchRequest, kAiLlmRequest, kJobGateway,
  kJobOrchestrator, kJobAuth, kJobPayment, kWorkerLifecycle, kCount
};
std::string_view FamilyName(Family family);

enum class IgnoreReason : uint8_t {
  kUnsupportedEventFamily, kNonCoreApp, kScopeClientNoise, kUnsupportedStreamTraceType, kCount
};
enum class RejectReason : uint8_t { kMalformedJson, kMissingEventId, kCount };

// How a correct decoder classifies one line (before the duplicate test).
struct LineClass {
  enum Kind : uint8_t { kAccepted, kIgnored, kRejected, kDuplicate } kind = kAccepted;
  uint8_t code = 0;  // Family, IgnoreReason or RejectReason per kind
  static LineClass Accepted(Family f) { return {kAccepted, static_cast<uint8_t>(f)}; }
  static LineClass Ignored(IgnoreReason r) { return {kIgnored, static_cast<uint8_t>(r)}; }
  static LineClass Rejected(RejectReason r) { return {kRejected, static_cast<uint8_t>(r)}; }
  static LineClass Duplicate() { return {kDuplicate, 0}; }
};

struct ClassCounts {
  int64_t lines = 0, accepted = 0, duplicates = 0;
  std::array<int64_t, static_cast<size_t>(IgnoreReason::kCount)> ignored{};
  std::array<int64_t, static_cast<size_t>(RejectReason::kCount)> rejected{};
  std::array<int64_t, static_cast<size_t>(Family::kCount)> accepted_by_family{};
  void Count(LineClass c);
};

struct StreamCounts {
  int64_t requested = 0, startup_success = 0, swapped = 0;
};
struct JobCounts {
  int64_t jobs = 0, success = 0;
};

struct Truth {
  ClassCounts total;
  std::array<ClassCounts, static_cast<size_t>(Org::kCount)> by_org;
  std::array<std::map<std::string, StreamCounts>, static_cast<size_t>(Org::kCount)> streams;
  std::array<int64_t, static_cast<size_t>(Org::kCount)> no_orchestrator_sessions{};
  std::array<std::map<std::string, JobCounts>, static_cast<size_t>(Org::kCount)> jobs;

  void CountLine(Org org, LineClass c) {
    total.Count(c);
    by_org[static_cast<size_t>(org)].Count(c);
  }
  // The --truth JSON document (orgs without lines are left out).
  std::string ToJson() const;
};

}  // namespace naap::sim
