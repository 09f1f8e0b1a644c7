#pragma once
// The OpenAPI document as naap reads it (spec/api.md §1.14): its operations with their parameters
// in route-table terms, a validator for JSON bodies against the documented response schemas, and
// the drift comparison between the router's route table and the document.
//
// Schema rules (OpenAPI 3.0 subset): $ref to "#/components/…", type, format date-time (the §1.3
// time form), pattern, enum, nullable (null is accepted only where `nullable: true`), minimum /
// maximum, items, maxItems, properties, required, additionalProperties. An object schema that
// lists `properties` admits no other member unless `additionalProperties` allows it.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/route.h"
#include "base/status.h"

namespace naap::api {

struct JsonNode;  // a parsed JSON value (openapi_schema.cc)

// One documented parameter, mapped back to the route vocabulary: integer → kInt, boolean → kBool,
// a string enum → kEnum, string formats date-time-or-epoch-ms / duration / org / address / cap /
// cursor → kTime / kDuration / kOrg / kAddress / kCap / kCursor, any other string → kId; an array
// (form, exploded) is a repeatable parameter of its item type.
struct OpenApiParam {
  std::string name;
  std::string in;  // "query" or "path"
  ParamType type = ParamType::kId;
  bool required = false;
  bool repeatable = false;
  std::optional<int64_t> minimum, maximum;
  std::string default_text;  // "" when none; integers and booleans as JSON text
  std::vector<std::string> enum_values;
};

// `x-naap-window`: the window widths as §1.4 durations ("1d", "1h", "1ms"); max is
// "raw-retention" when the route's maximum is the raw-log retention.
struct OpenApiWindow {
  std::string default_width, min_width, max_width;
};

struct OpenApiOperation {
  std::string method;                // upper case: "GET", "POST"
  std::string path;                  // the pattern, "/v1/net/orchestrators/{address}"
  std::vector<OpenApiParam> params;  // path and query, in document order
  bool admin = false;                // has a bearer security requirement
  std::optional<OpenApiWindow> window;
};

class OpenApi {
 public:
  // Parses an OpenAPI JSON document; fails on invalid JSON or an operation that cannot be read
  // (an unresolvable parameter $ref, a parameter without name or schema).
  static Result<OpenApi> Parse(std::string_view json);

  const std::vector<OpenApiOperation>& operations() const { return operations_; }
  const JsonNode& root() const { return *root_; }

 private:
  std::shared_ptr<const JsonNode> root_;
  std::vector<OpenApiOperation> operations_;
};

// The document bundled into the binary (/docs/openapi.json).
Result<OpenApi> LoadBundledOpenApi();

// Checks `json_body` against the schema of the response documented for (method, pattern, status)
// — HEAD reads the GET operation; a status without its own entry uses `default`. The error names
// every violation with its JSON path: `$.data[0].sla_score: null where the schema is not
// nullable`, `$.meta: missing required field "data_clock"`, `$: unexpected field "extra"`.
Status ValidateResponse(const OpenApi& doc, std::string_view method, std::string_view pattern,
                        int status, std::string_view json_body);

// The differences between the route table and the document, one line each, in route order then
// document order; empty when they agree. Routes of group kDocs are not documented and skipped.
// Compared: method and path; path and query parameter names, types, required, repeatable, enum
// values, defaults and integer bounds; admin ⇔ bearer security; the window widths.
std::vector<std::string> CompareRoutesWithOpenApi(const std::vector<RouteSpec>& routes,
                                                  const OpenApi& doc);

}  // namespace naap::api
