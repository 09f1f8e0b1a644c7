// stream_ingest_metrics — WHIP/WebRTC transport stats (spec/events.md §4.4).
#include "base/strings.h"
#include "event/families.h"

namespace naap::event {
namespace {
constexpr std::string_view kStats = "data.stats";
constexpr std::string_view kPeer = "data.stats.peer_conn_stats";
constexpr std::string_view kTrack = "data.stats.track_stats[]";

void ReadTrack(PayloadReader& r, JsonObject track, TrackStats& out) {
  out.jitter = r.Num(track, kTrack, "jitter");
  out.packets_lost = r.Int(track, kTrack, "packets_lost", true);
  out.packets_received = r.Int(track, kTrack, "packets_received", true);
  out.packet_loss_pct = r.Num(track, kTrack, "packet_loss_pct");
  out.rtt = r.Num(track, kTrack, "rtt");
  out.latency = r.Num(track, kTrack, "latency");
}
}  // namespace

bool DecodeStreamIngestMetrics(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data)) return false;
  IngestSample& s = ctx.records.ingest_samples.emplace_back();
  if (!ReadStreamKey(ctx, data, s.key)) return false;
  PayloadReader& r = ctx.reader;
  s.pipeline_id = r.Str(data, kDataPath, "pipeline_id");
  std::optional<JsonObject> stats = r.Obj(data, kDataPath, "stats");
  if (!stats) return true;
  if (auto peer = r.Obj(*stats, kStats, "peer_conn_stats")) {
    s.bytes_received = r.Int(*peer, kPeer, "BytesReceived", true);
    s.bytes_sent = r.Int(*peer, kPeer, "BytesSent", true);
  }
  s.conn_quality = ToLower(r.Str(*stats, kStats, "conn_quality"));
  auto tracks = Member(*stats, "track_stats");
  JsonArray array;
  if (!tracks) return true;
  if (tracks->get_array().get(array) != simdjson::SUCCESS) {
    r.Mismatch(kStats, "track_stats", "not an array");
    return true;
  }
  bool seen_video = false, seen_audio = false;
  for (JsonElement element : array) {
    JsonObject track;
    std::string_view type;
    if (element.get_object().get(track) != simdjson::SUCCESS) continue;
    auto type_member = Member(track, "type");
    if (!type_member || type_member->get_string().get(type) != simdjson::SUCCESS) continue;
    type = TrimView(type);
    if (!seen_video && EqualsIgnoringCase(type, "video")) {
      seen_video = true;
      ReadTrack(r, track, s.video);
    } else if (!seen_audio && EqualsIgnoringCase(type, "audio")) {
      seen_audio = true;
      ReadTrack(r, track, s.audio);
    }
  }
  return true;
}

}  // namespace naap::event
