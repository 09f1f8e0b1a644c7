#include "event/decoder.h"

#include <simdjson.h>

#include "base/strings.h"
#include "event/families.h"
#include "event/json_span.h"
#include "event/normalize.h"
#include "event/payload_reader.h"

namespace naap::event {
namespace {
constexpr std::string_view kNetworkCapabilities = "network_capabilities";
constexpr std::string_view kStreamTrace = "stream_trace";
constexpr std::string_view kWorkerLifecycle = "worker_lifecycle";

bool LooksLikeJsonText(std::string_view s) {
  std::string_view t = TrimView(s);
  return !t.empty() && (t.front() == '{' || t.front() == '[');
}

// The envelope members the decoder reads (first occurrence of each key), found in one pass.
struct EnvelopeMembers {
  std::optional<JsonElement> id, type, timestamp, gateway, data;

  explicit EnvelopeMembers(JsonObject envelope) {
    for (auto [key, value] : envelope) {
      std::optional<JsonElement>* slot = nullptr;
      if (key == "id") {
        slot = &id;
      } else if (key == "type") {
        slot = &type;
      } else if (key == "timestamp") {
        slot = &timestamp;
      } else if (key == "gateway") {
        slot = &gateway;
      } else if (key == "data") {
        slot = &data;
      }
      if (slot != nullptr && !*slot) *slot = value;
    }
  }
};
}  // namespace

struct Decoder::Impl {
  explicit Impl(DecoderOptions o) : options(std::move(o)) {
    // A JSON null that stands in for an absent `data` member; its parser is never reused.
    auto error = null_parser.parse("null", 4).get(null_element);
    (void)error;
  }

  const Decoded& Decode(const DecodeInput& in);
  // Fills out.envelope and `envelope`; false when the message is malformed.
  bool ParseEnvelope(const DecodeInput& in, JsonObject& envelope, std::string_view& wrapper_topic);
  bool Reject(std::string_view reason, std::string detail = {});
  bool Ignore(std::string_view reason);
  bool ReadHeader(const EnvelopeMembers& envelope, Millis ingest_ms);
  // The payload, parsing a string that holds JSON; data_text is its JSON text when known.
  JsonElement ResolveData(const EnvelopeMembers& envelope, std::string_view& data_text);
  // Sets out.org from the topic map. A stream carries few distinct topics, so resolutions are
  // kept (up to kMaxCachedTopics, then the cache starts over).
  void ResolveTopicOrg(std::string_view topic);

  DecoderOptions options;
  simdjson::dom::parser message_parser, envelope_parser, data_parser, null_parser;
  JsonElement null_element;
  std::unique_ptr<Decoded> result = std::make_unique<Decoded>();  // what Decode() fills
  std::string envelope_buf, data_buf, scratch_text;
  static constexpr size_t kMaxCachedTopics = 16;
  std::vector<std::pair<std::string, std::optional<std::string>>> topic_orgs;
  std::vector<std::string_view> scratch_spans;
};

bool Decoder::Impl::Reject(std::string_view reason, std::string detail) {
  Decoded& out = *result;
  out.cls = MessageClass::kRejected;
  out.reason.assign(reason);
  out.detail = std::move(detail);
  out.notes.clear();
  out.records.Clear();
  return false;
}

bool Decoder::Impl::Ignore(std::string_view reason) {
  Decoded& out = *result;
  out.cls = MessageClass::kIgnored;
  out.reason.assign(reason);
  out.records.Clear();
  return false;
}

void Decoder::Impl::ResolveTopicOrg(std::string_view topic) {
  Decoded& out = *result;
  for (const auto& [cached_topic, org] : topic_orgs) {
    if (cached_topic == topic) {
      if (org) out.org = *org;
      return;
    }
  }
  if (topic_orgs.size() == kMaxCachedTopics) topic_orgs.clear();
  const auto& [cached_topic, org] = topic_orgs.emplace_back(topic, options.topics.Resolve(topic));
  if (org) out.org = *org;
}

bool Decoder::Impl::ParseEnvelope(const DecodeInput& in, JsonObject& envelope,
                                  std::string_view& wrapper_topic) {
  Decoded& out = *result;
  JsonElement root;
  JsonObject root_obj;
  if (in.bytes.empty() ||
      message_parser.parse(in.bytes.data(), in.bytes.size(), true).get(root) != simdjson::SUCCESS) {
    return Reject("malformed_json", "not valid UTF-8 JSON");
  }
  if (root.get_object().get(root_obj) != simdjson::SUCCESS) {
    return Reject("malformed_json", "root is not an object");
  }
  // One pass over the root: the first `value`, `topic` and whether `data` is present.
  std::optional<JsonElement> value, topic;
  bool has_data = false;
  bool value_is_last = false;  // the first `value` is the root's last member
  for (auto [key, member] : root_obj) {
    bool first_value = !value && key == "value";
    if (first_value) {
      value = member;
    } else if (!topic && key == "topic") {
      topic = member;
    } else if (key == "data") {
      has_data = true;
    }
    value_is_last = first_value;
  }
  if (!value || has_data) {
    envelope = root_obj;
    out.envelope = in.bytes;
    return true;
  }
  std::string_view topic_text;
  if (topic && topic->get_string().get(topic_text) == simdjson::SUCCESS) wrapper_topic = topic_text;
  std::string_view value_string;
  if (value->get_object().get(envelope) == simdjson::SUCCESS) {
    auto span =
        value_is_last ? JsonLastMemberSpan(in.bytes, "value") : JsonMemberSpan(in.bytes, "value");
    out.envelope = span ? *span : in.bytes;
    return true;
  }
  if (value->get_string().get(value_string) == simdjson::SUCCESS) {
    envelope_buf.assign(value_string);
    JsonElement inner;
    if (envelope_parser.parse(envelope_buf).get(inner) == simdjson::SUCCESS &&
        inner.get_object().get(envelope) == simdjson::SUCCESS) {
      out.envelope = envelope_buf;
      return true;
    }
  }
  return Reject("malformed_json", "wrapper value is not an object");
}

bool Decoder::Impl::ReadHeader(const EnvelopeMembers& envelope, Millis ingest_ms) {
  Decoded& out = *result;
  if (envelope.id && envelope.id->is_string()) {
    ReadString(*envelope.id, out.event_id);
  } else if (envelope.id && envelope.id->is_number()) {
    // §2.1: a numeric id is its literal text (`1.50`, not the double's `1.5`).
    auto span = JsonMemberSpan(out.envelope, "id");
    if (span) out.event_id.assign(TrimView(*span));
  }
  if (out.event_id.empty()) return Reject("missing_event_id", "id: absent or empty");

  std::string_view type;
  if (envelope.type && envelope.type->get_string().get(type) == simdjson::SUCCESS) {
    AssignTrimLower(out.family, type);
  }
  if (out.family.empty()) return Reject("missing_event_type", "type: absent, empty or not a string");

  std::optional<Millis> event_ts;
  if (envelope.timestamp) {
    JsonElement ts = *envelope.timestamp;
    if (ts.is_string()) {
      event_ts = ParseTimestampText(ts.get_string().value_unsafe());
    } else if (ts.is_number()) {
      event_ts = ParseTimestampText(NumberText(ts));
    }
  }
  if (!event_ts) return Reject("bad_timestamp", "timestamp: absent or unparseable");
  if (!InEventTimeRange(*event_ts, ingest_ms)) return Reject("bad_timestamp", "timestamp: out of range");
  out.has_event_ts = true;
  out.event_ts = *event_ts;

  // §2.1: only a string is a gateway; a number too is "" with a note.
  if (envelope.gateway && envelope.gateway->is_string()) {
    ReadString(*envelope.gateway, out.gateway);
  } else if (envelope.gateway && !envelope.gateway->is_null()) {
    out.notes.push_back(Note{"field_type_mismatch", "gateway: not a string"});
  }
  if (IsEthAddress(out.gateway)) LowerInPlace(out.gateway);
  return true;
}

JsonElement Decoder::Impl::ResolveData(const EnvelopeMembers& envelope,
                                       std::string_view& data_text) {
  Decoded& out = *result;
  if (!envelope.data) return null_element;
  JsonElement data = *envelope.data;
  std::string_view s;
  if (data.get_string().get(s) == simdjson::SUCCESS && LooksLikeJsonText(s)) {
    data_buf.assign(s);
    JsonElement parsed;
    if (data_parser.parse(data_buf).get(parsed) == simdjson::SUCCESS) {
      data_text = data_buf;
      return parsed;
    }
  }
  if (out.family == kNetworkCapabilities || out.family == kWorkerLifecycle) {
    data_text = JsonMemberSpan(out.envelope, "data").value_or(std::string_view());
  }
  return data;
}

const Decoded& Decoder::Impl::Decode(const DecodeInput& in) {
  Decoded& out = *result;
  out.cls = MessageClass::kRejected;
  out.reason.clear();
  out.detail.clear();
  out.org.clear();
  out.event_id.clear();
  out.family.clear();
  out.subtype.clear();
  out.has_event_ts = false;
  out.event_ts = 0;
  out.gateway.clear();
  out.schema_version.clear();
  out.envelope = in.bytes;
  out.worker_event_id.clear();
  out.notes.clear();
  out.records.Clear();

  if (!in.org_override.empty()) {
    out.org.assign(in.org_override);
  } else if (!in.kafka_topic.empty()) {
    ResolveTopicOrg(in.kafka_topic);
  }
  if (in.bytes.size() > options.max_message_bytes) {
    Reject("oversized_message", std::to_string(in.bytes.size()) + " bytes");
    return out;
  }
  if (in.broken_tail) {
    Reject("malformed_json", "unreadable remainder of the source");
    return out;
  }
  JsonObject envelope_obj;
  std::string_view wrapper_topic;
  if (!ParseEnvelope(in, envelope_obj, wrapper_topic)) return out;
  if (out.org.empty() && !wrapper_topic.empty()) ResolveTopicOrg(wrapper_topic);
  if (out.org.empty()) {
    Reject("unknown_org",
           wrapper_topic.empty() ? "no topic" : "topic: " + std::string(wrapper_topic));
    return out;
  }
  EnvelopeMembers envelope(envelope_obj);
  if (!ReadHeader(envelope, in.ingest_ms)) return out;
  if (in.header_read != nullptr) (*in.header_read)(out.org, out.event_id);

  const Family* family = FindFamily(out.family);
  if (family == nullptr) {
    Ignore("unsupported_event_family");
    return out;
  }
  std::string_view data_text;
  JsonElement data = ResolveData(envelope, data_text);
  JsonObject data_obj;
  const bool is_trace = out.family == kStreamTrace;
  if (data.get_object().get(data_obj) == simdjson::SUCCESS) {
    JsonElement type;
    if (family->has_subtype && data_obj.at_key("type").get(type) == simdjson::SUCCESS) {
      // A number is its text (§5.1), except for stream_trace, whose rows 8–10 read strings only.
      if (type.is_string()) {
        AssignTrimLower(out.subtype, type.get_string().value_unsafe());
      } else if (type.is_number() && !is_trace) {
        out.subtype = NumberText(type);
      }
    }
    if (auto version = Member(data_obj, "schema_version");
        version && ReadString(*version, out.schema_version) == FieldState::kMismatch) {
      out.notes.push_back(Note{"field_type_mismatch", "data.schema_version: not a string"});
    }
  }
  if (is_trace) {
    std::string_view reason = StreamTraceIgnoreReason(data, out.subtype);
    if (!reason.empty()) {
      Ignore(reason);
      return out;
    }
  }

  PayloadReader reader(out.notes, in.ingest_ms);
  FamilyContext ctx{data, data_text, out.org, out.subtype, reader, out.records,
                    scratch_spans, scratch_text};
  if (!family->decoder(ctx)) {
    Reject("invalid_payload", reader.detail());
    return out;
  }
  out.cls = MessageClass::kAccepted;
  if (!out.records.worker_snapshots.empty()) {
    out.worker_event_id = out.records.worker_snapshots.front().worker_event_id;
  }
  RecordHeader& h = out.records.header;
  h.org = out.org;
  h.event_id = out.event_id;
  h.event_ts = out.event_ts;
  h.family = out.family;
  h.subtype = out.subtype;
  h.gateway = out.gateway;
  h.schema_version = out.schema_version;
  h.ingested_at = in.ingest_ms;
  return out;
}

Decoder::Decoder(DecoderOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Decoder::~Decoder() = default;

const Decoded& Decoder::Decode(const DecodeInput& in) {
  try {
    return impl_->Decode(in);
  } catch (const std::exception& e) {
    impl_->Reject("malformed_json", std::string("decoder error: ") + e.what());
    return *impl_->result;
  }
}

std::unique_ptr<Decoded> Decoder::TakeResult(std::unique_ptr<Decoded> spare) {
  if (spare == nullptr) spare = std::make_unique<Decoded>();
  std::swap(impl_->result, spare);
  return spare;
}

}  // namespace naap::event
