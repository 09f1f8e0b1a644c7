#pragma once
// Shared normalisation rules (spec/events.md §2.2 and §5), pure functions on text.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/decimal.h"
#include "base/time.h"

namespace naap::event {

inline constexpr Millis kMinEventTsMs = 1'420'070'400'000;  // 2015-01-01T00:00:00.000Z

// §2.2 parser without the range check: numeric text (exact decimal; < 1e11 is epoch seconds,
// else milliseconds; floored) or ISO-8601 / RFC 3339. Surrounding whitespace is ignored.
// Zero, negative values and anything else fail.
std::optional<Millis> ParseTimestampText(std::string_view text);
// §2.2 range: 2015-01-01 ≤ t ≤ ingest time + 24 h, both inclusive.
inline bool InEventTimeRange(Millis t, Millis ingest_ms) {
  return t >= kMinEventTsMs && t <= ingest_ms + kDayMs;
}

// §5.3: trim, lower-case, strip trailing '/'.
std::string NormalizeUrl(std::string_view url);
// §5.2: trim and lower-case.
std::string NormalizeAddress(std::string_view address);
// §5.4: "org|S|R" with _missing_request / _missing_stream, or "" when both are empty.
std::string SessionKey(std::string_view org, std::string_view stream_id,
                       std::string_view request_id);

// §5.5 pipeline/model hint normaliser.
struct PipelineModel {
  std::string pipeline;  // allow-listed canonical pipeline or ""
  std::string model;
};
PipelineModel NormalizeHints(std::string_view pipeline_hint, std::string_view model_hint);
// Trims, and canonicalises the case of the four streamdiffusion* model names (§5.5 offers).
std::string CanonicalModelId(std::string_view model_id);

// §4.7 manifestID: "<digits>_<rest>" → capability id and hints; else P = whole, M = "".
struct ManifestHints {
  std::optional<int> capability_id;
  std::string pipeline_hint;
  std::string model_hint;
};
ManifestHints ParseManifestId(std::string_view manifest_id);

// §4.7 faceValue text: number with optional WEI/ETH unit; unit-less integers are wei,
// fractions/exponents ETH. Fractions of a wei are truncated; must be in 0 … 2^127−1.
std::optional<Wei> ParseFaceValueWei(std::string_view text);
// §4.7 price text: number ≥ 0 with optional "wei/<unit>" suffix (any case).
std::optional<double> ParsePriceWeiPerPixel(std::string_view text);
// floor(face × tickets × win_prob), exact.
std::optional<Wei> ExpectedFeeWei(const Wei& face_value, int64_t num_tickets,
                                  const Decimal& win_prob);

// §5.6 numeric text as an IEEE double (strict syntax; nullopt otherwise).
std::optional<double> ParseDoubleText(std::string_view text);

}  // namespace naap::event
