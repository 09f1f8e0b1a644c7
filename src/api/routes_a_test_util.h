#pragma once
// Test harness for the group A handlers: a LocalBackend over a memory store filled from the real
// sample (/work/shared/data) and hand-written events, and direct handler calls with a
// RequestContext built as the router builds it (validated parameters, resolved window, the data
// clock of the `org` parameter).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/local_backend.h"
#include "api/route.h"
#include "base/time.h"
#include "store/store.h"

namespace naap::api::testing {

// 2026-01-08T21:51:55.610Z: the newest event of the sample (its data clock).
inline constexpr Millis kSampleClock = 1'767'909'115'610;
inline constexpr Millis kSampleHour = 1'767'906'000'000;  // 2026-01-08T21:00:00.000Z
inline constexpr char kSampleOrchestrator[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";
inline constexpr char kSampleUri[] = "https://rtav-orch2.xodeapp.xyz:28935";

// One export-wrapper line (topic streaming-events) of a gateway_receive_stream_request trace.
std::string StreamRequestLine(std::string_view event_id, Millis ts, std::string_view stream_id);

class RouteHarness {
 public:
  RouteHarness();
  ~RouteHarness();

  void IngestSample();
  void IngestLines(const std::vector<std::string>& lines);

  // The route `id` of `routes`.
  static const RouteSpec& Find(const std::vector<RouteSpec>& routes, std::string_view id);
  // Calls the handler; `params` as given, `window` the resolved window (windowed routes).
  Outcome Call(const RouteSpec& route, std::map<std::string, std::vector<std::string>> params = {},
               std::optional<Window> window = std::nullopt);
  // The body of a successful call: the JSON of a Data reply, or `[row,…]` of a List reply.
  std::string Body(const RouteSpec& route,
                   std::map<std::string, std::vector<std::string>> params = {},
                   std::optional<Window> window = std::nullopt);
  // The key strings of a List reply's rows.
  std::vector<std::vector<std::string>> Keys(const RouteSpec& route,
                                             std::optional<Window> window = std::nullopt);

  LocalBackend& backend() { return *backend_; }

 private:
  std::unique_ptr<store::Store> store_;
  FakeClock clock_{kSampleClock + kHourMs};
  std::unique_ptr<LocalBackend> backend_;
  int files_ = 0;
};

}  // namespace naap::api::testing
