// job_payment — BYOC payment accounting (spec/events.md §4.13).
#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {

bool DecodeJobPayment(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data) || !RequireSubtype(ctx, data)) return false;
  PayloadReader& r = ctx.reader;
  ByocPayment& p = ctx.records.byoc_payments.emplace_back();
  p.payment_type = ctx.subtype;
  p.request_id = r.Str(data, kDataPath, "request_id");
  p.stream_id = r.Str(data, kDataPath, "stream_id");
  p.capability = ReadByocCapability(r, data);
  p.sender_address = NormalizeAddress(r.Str(data, kDataPath, "sender"));
  p.orch = ReadOrchInfo(r, data);
  if (p.orch.orch_reported_address.empty()) {
    p.orch.orch_reported_address = NormalizeAddress(r.Str(data, kDataPath, "orchestrator_addr"));
  }
  p.balance = r.Dec(data, kDataPath, "balance");
  p.diff = r.Dec(data, kDataPath, "diff");
  p.min_bal_covered = r.Bool(data, kDataPath, "min_bal_covered");
  p.reset_to_zero = r.Bool(data, kDataPath, "reset_to_zero");
  p.with_tickets = r.Bool(data, kDataPath, "with_tickets");
  p.success = r.Bool(data, kDataPath, "success");
  p.error = r.Str(data, kDataPath, "error");
  p.amount = r.Dec(data, kDataPath, "amount");
  p.currency = r.Str(data, kDataPath, "currency");
  return true;
}

}  // namespace naap::event
