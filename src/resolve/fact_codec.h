#pragma once
// Canonical bytes of the resolver's facts and their keys (sessions, payments, AI-batch and BYOC
// jobs, workers, auth, BYOC payments, discovery rows, LLM facts, named workers), for the frozen
// hours of HourlyFacts (hourly_facts.h). Every field is encoded, in declaration order, with
// base/bytes.h; DecodeFact(EncodeFact(f)) == f for every fact (fact_codec_test). Decoding fails
// (returns false) on truncated or malformed bytes and never reads past them.
#include <string>
#include <string_view>
#include <utility>

#include "base/bytes.h"
#include "resolve/jobs.h"
#include "resolve/payments.h"

namespace naap::resolve {

void EncodeFact(ByteWriter& w, const SessionFact& fact);
void EncodeFact(ByteWriter& w, const PaymentFact& fact);
void EncodeFact(ByteWriter& w, const AiBatchJobFact& fact);
void EncodeFact(ByteWriter& w, const ByocJobFact& fact);
void EncodeFact(ByteWriter& w, const WorkerFact& fact);
void EncodeFact(ByteWriter& w, const AuthFact& fact);
void EncodeFact(ByteWriter& w, const ByocPaymentFact& fact);
void EncodeFact(ByteWriter& w, const DiscoveryFact& fact);
void EncodeFact(ByteWriter& w, const LlmFact& fact);        // part of AI-batch facts
void EncodeFact(ByteWriter& w, const NamedWorker& worker);  // of BYOC jobs

bool DecodeFact(ByteReader& r, SessionFact& fact);
bool DecodeFact(ByteReader& r, PaymentFact& fact);
bool DecodeFact(ByteReader& r, AiBatchJobFact& fact);
bool DecodeFact(ByteReader& r, ByocJobFact& fact);
bool DecodeFact(ByteReader& r, WorkerFact& fact);
bool DecodeFact(ByteReader& r, AuthFact& fact);
bool DecodeFact(ByteReader& r, ByocPaymentFact& fact);
bool DecodeFact(ByteReader& r, DiscoveryFact& fact);
bool DecodeFact(ByteReader& r, LlmFact& fact);
bool DecodeFact(ByteReader& r, NamedWorker& worker);

// The keys of HourlyFacts: a session key, payment or job id, or (discovery event id, rank).
void EncodeKey(ByteWriter& w, const std::string& key);
void EncodeKey(ByteWriter& w, const std::pair<std::string, int>& key);
bool DecodeKey(ByteReader& r, std::string& key);
bool DecodeKey(ByteReader& r, std::pair<std::string, int>& key);

// zstd frames of encoded facts. Decompress returns false on bytes that are not one whole frame.
std::string Compress(std::string_view bytes);
bool Decompress(std::string_view frame, std::string& bytes);

}  // namespace naap::resolve
