#include "event/records.h"

namespace naap::event {

void Records::Clear() {
  // Field by field, so that the header strings keep their capacity.
  header.org.clear();
  header.event_id.clear();
  header.event_ts = 0;
  header.family.clear();
  header.subtype.clear();
  header.gateway.clear();
  header.schema_version.clear();
  header.ingested_at = 0;
  stream_traces.clear();
  status_samples.clear();
  stream_events.clear();
  ingest_samples.clear();
  capability_snapshots.clear();
  discovery_rows.clear();
  payments.clear();
  batch_events.clear();
  llm_events.clear();
  byoc_job_events.clear();
  orchestrator_job_events.clear();
  auth_events.clear();
  byoc_payments.clear();
  worker_snapshots.clear();
}

size_t Records::Count() const {
  return stream_traces.size() + status_samples.size() + stream_events.size() +
         ingest_samples.size() + capability_snapshots.size() + discovery_rows.size() +
         payments.size() + batch_events.size() + llm_events.size() + byoc_job_events.size() +
         orchestrator_job_events.size() + auth_events.size() + byoc_payments.size() +
         worker_snapshots.size();
}

}  // namespace naap::event
