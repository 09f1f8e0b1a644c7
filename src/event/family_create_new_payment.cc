// create_new_payment — probabilistic ticket batches (spec/events.md §4.7), exact wei.
#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {
namespace {
// A required numstr member as text: strings trimmed, numbers as their text.
bool RequireNumericText(PayloadReader& r, JsonObject data, std::string_view key, std::string& out) {
  auto m = Member(data, key);
  if (!m) return r.Fail(kDataPath, key, "absent");
  if (ReadString(*m, out) != FieldState::kOk || out.empty()) return r.Fail(kDataPath, key, "unusable kind");
  return true;
}
}  // namespace

bool DecodeCreateNewPayment(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data)) return false;
  PayloadReader& r = ctx.reader;
  Payment& p = ctx.records.payments.emplace_back();
  std::string sender, recipient, orchestrator;
  if (!r.RequireStr(data, kDataPath, "sessionID", p.payment_session_id) ||
      !r.RequireStr(data, kDataPath, "manifestID", p.manifest_id) ||
      !r.RequireStr(data, kDataPath, "sender", sender) ||
      !r.RequireStr(data, kDataPath, "recipient", recipient) ||
      !r.RequireStr(data, kDataPath, "orchestrator", orchestrator)) {
    return false;
  }
  std::string text;
  if (!RequireNumericText(r, data, "faceValue", text)) return false;
  // A JSON number with a fraction or exponent is held as a double: it is an ETH amount.
  std::optional<Wei> face = ParseFaceValueWei(text);
  auto face_member = Member(data, "faceValue");
  if (face_member->is_double()) {
    auto d = Decimal::Parse(text);
    face = d ? d->FloorToWei(18) : std::nullopt;
  }
  if (!face) return r.Fail(kDataPath, "faceValue", "not a wei or ETH amount in range");
  p.face_value_wei = *face;

  if (!RequireNumericText(r, data, "numTickets", text)) return false;
  auto tickets = Decimal::Parse(text);
  auto tickets_int = tickets && tickets->IsInteger() ? tickets->FloorToInt64() : std::nullopt;
  if (!tickets_int || *tickets_int < 0) return r.Fail(kDataPath, "numTickets", "not a count");
  p.num_tickets = *tickets_int;

  if (!RequireNumericText(r, data, "winProb", text)) return false;
  auto win_prob = Decimal::Parse(text);
  if (!win_prob || win_prob->negative() || *win_prob > *Decimal::Parse("1")) {
    return r.Fail(kDataPath, "winProb", "not a probability");
  }
  p.win_prob = *win_prob;

  if (!RequireNumericText(r, data, "price", text)) return false;
  auto price = ParsePriceWeiPerPixel(text);
  if (!price) return r.Fail(kDataPath, "price", "not a price");
  p.price_wei_per_pixel = *price;

  auto fee = ExpectedFeeWei(p.face_value_wei, p.num_tickets, p.win_prob);
  if (!fee) return r.Fail(kDataPath, "numTickets", "expected fee out of the wei range");
  p.expected_fee_wei = *fee;

  p.request_id = r.Str(data, kDataPath, "requestID");
  ManifestHints hints = ParseManifestId(p.manifest_id);
  p.manifest_capability_id = hints.capability_id;
  PipelineModel pm = NormalizeHints(hints.pipeline_hint, hints.model_hint);
  p.pipeline = std::move(pm.pipeline);
  p.model = std::move(pm.model);
  p.sender_address = NormalizeAddress(sender);
  p.recipient_address = NormalizeAddress(recipient);
  p.orch_url = std::move(orchestrator);
  p.orch_url_norm = NormalizeUrl(p.orch_url);
  p.capability_label = r.Str(data, kDataPath, "capability");
  return true;
}

}  // namespace naap::event
