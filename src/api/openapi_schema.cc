#include "api/openapi_schema.h"

#include <simdjson.h>

#include <map>
#include <regex>
#include <set>
#include <utility>

#include "api/conventions.h"
#include "api/docs_embedded.h"
#include "base/strings.h"

namespace naap::api {

struct JsonNode {
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  int64_t integer = 0;
  double number = 0;
  std::string text;
  std::vector<JsonNode> items;
  std::vector<std::pair<std::string, JsonNode>> members;

  const JsonNode* Find(std::string_view key) const {
    for (const auto& [name, value] : members) {
      if (name == key) return &value;
    }
    return nullptr;
  }
  bool IsNumber() const { return kind == Kind::kInt || kind == Kind::kDouble; }
  double AsDouble() const { return kind == Kind::kInt ? static_cast<double>(integer) : number; }
};

namespace {

using Kind = JsonNode::Kind;

JsonNode Convert(simdjson::dom::element element) {
  JsonNode node;
  switch (element.type()) {
    case simdjson::dom::element_type::ARRAY: {
      node.kind = Kind::kArray;
      simdjson::dom::array array = element.get_array().value_unsafe();
      for (simdjson::dom::element child : array) node.items.push_back(Convert(child));
      break;
    }
    case simdjson::dom::element_type::OBJECT: {
      node.kind = Kind::kObject;
      simdjson::dom::object object = element.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair field : object) {
        node.members.emplace_back(std::string(field.key), Convert(field.value));
      }
      break;
    }
    case simdjson::dom::element_type::INT64:
      node.kind = Kind::kInt;
      node.integer = element.get_int64().value_unsafe();
      break;
    case simdjson::dom::element_type::UINT64:
      // Beyond int64: only a float can hold it here; no naap integer field gets that large.
      node.kind = Kind::kDouble;
      node.number = static_cast<double>(element.get_uint64().value_unsafe());
      break;
    case simdjson::dom::element_type::DOUBLE:
      node.kind = Kind::kDouble;
      node.number = element.get_double().value_unsafe();
      break;
    case simdjson::dom::element_type::STRING:
      node.kind = Kind::kString;
      node.text = std::string(element.get_string().value_unsafe());
      break;
    case simdjson::dom::element_type::BOOL:
      node.kind = Kind::kBool;
      node.boolean = element.get_bool().value_unsafe();
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      break;
  }
  return node;
}

Result<JsonNode> ParseJson(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(text.data(), text.size(), true).get(root)) {
    return InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  return Convert(root);
}

std::string KindName(const JsonNode& node) {
  switch (node.kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "boolean";
    case Kind::kInt:
      return "integer";
    case Kind::kDouble:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
  }
  return "value";
}

std::string Text(const JsonNode* node) {
  return node && node->kind == Kind::kString ? node->text : std::string();
}

bool Flag(const JsonNode* node) { return node && node->kind == Kind::kBool && node->boolean; }

// Follows "$ref": "#/a/b/c" links (JSON Pointer, ~0 and ~1 unescaped) within the document.
const JsonNode* Resolve(const JsonNode& root, const JsonNode* node) {
  for (int hops = 0; node && hops < 16; ++hops) {
    const JsonNode* ref = node->Find("$ref");
    if (!ref) return node;
    std::string_view pointer = ref->text;
    if (pointer.substr(0, 2) != "#/") return nullptr;
    pointer.remove_prefix(2);
    const JsonNode* target = &root;
    while (target) {
      const size_t slash = pointer.find('/');
      std::string token(pointer.substr(0, slash));
      for (size_t at = 0; (at = token.find('~', at)) != std::string::npos; ++at) {
        token.replace(at, 2, token.compare(at, 2, "~1") == 0 ? "/" : "~");
      }
      target = target->Find(token);
      if (slash == std::string_view::npos) break;
      pointer.remove_prefix(slash + 1);
    }
    node = target;
  }
  return node;
}

// The §1.3 time form: "2026-04-02T17:00:00.000Z".
bool IsApiTime(std::string_view s) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (s.size() != kShape.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool ok = kShape[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == kShape[i];
    if (!ok) return false;
  }
  return true;
}

std::string JoinList(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) out += (out.empty() ? "" : ", ") + value;
  return out;
}

class SchemaValidator {
 public:
  explicit SchemaValidator(const JsonNode& root) : root_(root) {}

  void Check(const JsonNode& schema_or_ref, const JsonNode& value, const std::string& path) {
    const JsonNode* schema = Resolve(root_, &schema_or_ref);
    if (!schema) return Fail(path, "schema has an unresolvable $ref");
    if (value.kind == Kind::kNull) {
      if (!Flag(schema->Find("nullable"))) Fail(path, "null where the schema is not nullable");
      return;
    }
    const std::string type = Text(schema->Find("type"));
    if (!type.empty() && !TypeMatches(type, value)) {
      return Fail(path, "expected " + type + ", got " + KindName(value));
    }
    CheckEnum(*schema, value, path);
    switch (value.kind) {
      case Kind::kString:
        return CheckString(*schema, value, path);
      case Kind::kInt:
      case Kind::kDouble:
        return CheckNumber(*schema, value, path);
      case Kind::kArray:
        return CheckArray(*schema, value, path);
      case Kind::kObject:
        return CheckObject(*schema, value, path);
      default:
        return;
    }
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  void Fail(const std::string& path, const std::string& what) {
    errors_.push_back(path + ": " + what);
  }

  static bool TypeMatches(const std::string& type, const JsonNode& value) {
    if (type == "integer") return value.kind == Kind::kInt;
    if (type == "number") return value.IsNumber();
    if (type == "string") return value.kind == Kind::kString;
    if (type == "boolean") return value.kind == Kind::kBool;
    if (type == "array") return value.kind == Kind::kArray;
    if (type == "object") return value.kind == Kind::kObject;
    return false;
  }

  void CheckEnum(const JsonNode& schema, const JsonNode& value, const std::string& path) {
    const JsonNode* values = schema.Find("enum");
    if (!values || value.kind != Kind::kString) return;
    std::vector<std::string> allowed;
    for (const JsonNode& item : values->items) {
      if (item.kind == Kind::kString && item.text == value.text) return;
      allowed.push_back(item.text);
    }
    Fail(path, "\"" + value.text + "\" is not one of " + JoinList(allowed));
  }

  void CheckString(const JsonNode& schema, const JsonNode& value, const std::string& path) {
    if (Text(schema.Find("format")) == "date-time" && !IsApiTime(value.text)) {
      Fail(path, "\"" + value.text + "\" is not a time of the form 2026-04-02T17:00:00.000Z");
    }
    const std::string pattern = Text(schema.Find("pattern"));
    if (pattern.empty()) return;
    auto [it, inserted] = patterns_.try_emplace(pattern);
    if (inserted) it->second = std::regex(pattern, std::regex::ECMAScript);
    if (!std::regex_search(value.text, it->second)) {
      Fail(path, "\"" + value.text + "\" does not match " + pattern);
    }
  }

  void CheckNumber(const JsonNode& schema, const JsonNode& value, const std::string& path) {
    const JsonNode* minimum = schema.Find("minimum");
    const JsonNode* maximum = schema.Find("maximum");
    if (minimum && minimum->IsNumber() && value.AsDouble() < minimum->AsDouble()) {
      Fail(path, FormatNumber(value.AsDouble()) + " is below the minimum " +
                     FormatNumber(minimum->AsDouble()));
    }
    if (maximum && maximum->IsNumber() && value.AsDouble() > maximum->AsDouble()) {
      Fail(path, FormatNumber(value.AsDouble()) + " is above the maximum " +
                     FormatNumber(maximum->AsDouble()));
    }
  }

  void CheckArray(const JsonNode& schema, const JsonNode& value, const std::string& path) {
    const JsonNode* max_items = schema.Find("maxItems");
    if (max_items && max_items->kind == Kind::kInt &&
        static_cast<int64_t>(value.items.size()) > max_items->integer) {
      Fail(path, std::to_string(value.items.size()) + " items, at most " +
                     std::to_string(max_items->integer) + " allowed");
    }
    const JsonNode* items = schema.Find("items");
    if (!items) return;
    for (size_t i = 0; i < value.items.size(); ++i) {
      Check(*items, value.items[i], path + "[" + std::to_string(i) + "]");
    }
  }

  void CheckObject(const JsonNode& schema, const JsonNode& value, const std::string& path) {
    const JsonNode* properties = schema.Find("properties");
    const JsonNode* additional = schema.Find("additionalProperties");
    if (const JsonNode* required = schema.Find("required")) {
      for (const JsonNode& name : required->items) {
        if (!value.Find(name.text)) Fail(path, "missing required field \"" + name.text + "\"");
      }
    }
    for (const auto& [name, member] : value.members) {
      const JsonNode* property = properties ? properties->Find(name) : nullptr;
      const std::string member_path = path + "." + name;
      if (property) {
        Check(*property, member, member_path);
      } else if (additional && additional->kind == Kind::kObject) {
        Check(*additional, member, member_path);
      } else if (properties && !Flag(additional)) {
        Fail(path, "unexpected field \"" + name + "\"");
      }
    }
  }

  const JsonNode& root_;
  std::map<std::string, std::regex> patterns_;
  std::vector<std::string> errors_;
};

std::optional<ParamType> TypeOfFormat(const std::string& format) {
  static const std::map<std::string, ParamType, std::less<>> kFormats = {
      {"date-time-or-epoch-ms", ParamType::kTime},
      {"duration", ParamType::kDuration},
      {"org", ParamType::kOrg},
      {"address", ParamType::kAddress},
      {"cap", ParamType::kCap},
      {"cursor", ParamType::kCursor}};
  auto it = kFormats.find(format);
  if (it == kFormats.end()) return std::nullopt;
  return it->second;
}

std::string DefaultText(const JsonNode* node) {
  if (!node) return "";
  switch (node->kind) {
    case Kind::kInt:
      return std::to_string(node->integer);
    case Kind::kBool:
      return node->boolean ? "true" : "false";
    case Kind::kString:
      return node->text;
    default:
      return "";
  }
}

Result<OpenApiParam> ReadParam(const JsonNode& root, const JsonNode& node,
                               const std::string& where) {
  const JsonNode* param = Resolve(root, &node);
  if (!param) return InvalidArgument(where + ": unresolvable parameter $ref");
  OpenApiParam out{.name = Text(param->Find("name")),
                   .in = Text(param->Find("in")),
                   .required = Flag(param->Find("required"))};
  const JsonNode* schema = Resolve(root, param->Find("schema"));
  if (out.name.empty() || !schema) {
    return InvalidArgument(where + ": a parameter without a name or schema");
  }
  if (Text(schema->Find("type")) == "array") {
    out.repeatable = true;
    schema = Resolve(root, schema->Find("items"));
    if (!schema)
      return InvalidArgument(where + ": array parameter \"" + out.name + "\" without items");
  }
  const std::string type = Text(schema->Find("type"));
  const JsonNode* enum_values = schema->Find("enum");
  if (type == "integer") {
    out.type = ParamType::kInt;
  } else if (type == "boolean") {
    out.type = ParamType::kBool;
  } else if (enum_values) {
    out.type = ParamType::kEnum;
    for (const JsonNode& value : enum_values->items) out.enum_values.push_back(value.text);
  } else {
    out.type = TypeOfFormat(Text(schema->Find("format"))).value_or(ParamType::kId);
  }
  const JsonNode* minimum = schema->Find("minimum");
  const JsonNode* maximum = schema->Find("maximum");
  if (minimum && minimum->kind == Kind::kInt) out.minimum = minimum->integer;
  if (maximum && maximum->kind == Kind::kInt) out.maximum = maximum->integer;
  out.default_text = DefaultText(schema->Find("default"));
  return out;
}

Result<OpenApiOperation> ReadOperation(const JsonNode& root, const std::string& path,
                                       const std::string& method, const JsonNode& path_item,
                                       const JsonNode& op) {
  OpenApiOperation out{.method = ToUpper(method), .path = path};
  const std::string where = out.method + " " + path;
  for (const JsonNode* list : {path_item.Find("parameters"), op.Find("parameters")}) {
    if (!list) continue;
    for (const JsonNode& node : list->items) {
      Result<OpenApiParam> param = ReadParam(root, node, where);
      if (!param.ok()) return param.status();
      out.params.push_back(std::move(param.value()));
    }
  }
  const JsonNode* security = op.Find("security");
  out.admin = security && !security->items.empty();
  if (const JsonNode* window = op.Find("x-naap-window")) {
    out.window = OpenApiWindow{.default_width = Text(window->Find("default")),
                               .min_width = Text(window->Find("min")),
                               .max_width = Text(window->Find("max"))};
  }
  return out;
}

std::string ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kTime:
      return "time";
    case ParamType::kDuration:
      return "duration";
    case ParamType::kInt:
      return "int";
    case ParamType::kBool:
      return "bool";
    case ParamType::kEnum:
      return "enum";
    case ParamType::kOrg:
      return "org";
    case ParamType::kAddress:
      return "address";
    case ParamType::kId:
      return "id";
    case ParamType::kCap:
      return "cap";
    case ParamType::kCursor:
      return "cursor";
  }
  return "?";
}

std::string RouteDefault(const ParamSpec& spec) {
  if (spec.default_int) return std::to_string(*spec.default_int);
  if (spec.default_bool) return *spec.default_bool ? "true" : "false";
  return spec.default_text;
}

std::string Bound(const std::optional<int64_t>& value) {
  return value ? std::to_string(*value) : "none";
}

OpenApiWindow WindowOf(const WindowSpec& spec) {
  return {.default_width = FormatDuration(spec.default_width),
          .min_width = FormatDuration(spec.min_width),
          .max_width = spec.max_width ? FormatDuration(*spec.max_width) : "raw-retention"};
}

// Appends "<what>: <field> <a> in the route, <b> in the document" when a and b differ.
void Differ(std::vector<std::string>& out, const std::string& what, std::string_view field,
            const std::string& in_route, const std::string& in_doc) {
  if (in_route == in_doc) return;
  out.push_back(what + ": " + std::string(field) + " " + in_route + " in the route, " + in_doc +
                " in the document");
}

void CompareParam(const ParamSpec& spec, const OpenApiParam& doc, const std::string& what,
                  std::vector<std::string>& out) {
  Differ(out, what, "type", ParamTypeName(spec.type), ParamTypeName(doc.type));
  auto yes_no = [](bool b) { return std::string(b ? "yes" : "no"); };
  if (doc.in == "query") Differ(out, what, "required", yes_no(spec.required), yes_no(doc.required));
  Differ(out, what, "repeatable", yes_no(spec.repeatable), yes_no(doc.repeatable));
  Differ(out, what, "enum", "[" + JoinList(spec.enum_values) + "]",
         "[" + JoinList(doc.enum_values) + "]");
  Differ(out, what, "default", "\"" + RouteDefault(spec) + "\"", "\"" + doc.default_text + "\"");
  if (spec.type == ParamType::kInt) {
    Differ(out, what, "minimum", std::to_string(spec.min), Bound(doc.minimum));
    Differ(out, what, "maximum", std::to_string(spec.max), Bound(doc.maximum));
  }
}

void CompareOperation(const RouteSpec& route, const OpenApiOperation& op, const std::string& key,
                      std::vector<std::string>& out) {
  if (route.admin != op.admin) {
    out.push_back(key + ": bearer authentication " + (route.admin ? "required" : "not required") +
                  " by the route, " + (op.admin ? "required" : "not required") +
                  " by the document");
  }
  std::set<std::pair<std::string, std::string>> declared;
  auto compare_all = [&](const std::vector<ParamSpec>& specs, const std::string& in) {
    for (const ParamSpec& spec : specs) {
      declared.emplace(in, spec.name);
      const std::string what = key + ": " + in + " parameter \"" + spec.name + "\"";
      const OpenApiParam* doc = nullptr;
      for (const OpenApiParam& param : op.params) {
        if (param.name == spec.name && param.in == in) doc = &param;
      }
      if (!doc) {
        out.push_back(what + " is not in the document");
      } else {
        CompareParam(spec, *doc, what, out);
      }
    }
  };
  compare_all(route.path_params, "path");
  compare_all(route.params, "query");
  for (const OpenApiParam& param : op.params) {
    if (!declared.count({param.in, param.name})) {
      out.push_back(key + ": " + param.in + " parameter \"" + param.name +
                    "\" is documented but not declared by the route");
    }
  }
  if (route.window.has_value() != op.window.has_value()) {
    out.push_back(key + ": " + (route.window ? "windowed" : "not windowed") + " in the route, " +
                  (op.window ? "windowed" : "not windowed") + " in the document");
  } else if (route.window) {
    const OpenApiWindow want = WindowOf(*route.window);
    Differ(out, key, "window default", want.default_width, op.window->default_width);
    Differ(out, key, "window minimum", want.min_width, op.window->min_width);
    Differ(out, key, "window maximum", want.max_width, op.window->max_width);
  }
}

}  // namespace

Result<OpenApi> OpenApi::Parse(std::string_view json) {
  Result<JsonNode> parsed = ParseJson(json);
  if (!parsed.ok()) return parsed.status();
  OpenApi doc;
  doc.root_ = std::make_shared<const JsonNode>(std::move(parsed.value()));
  const JsonNode* paths = doc.root_->Find("paths");
  if (!paths || paths->kind != Kind::kObject) return InvalidArgument("document has no paths");
  static constexpr std::string_view kMethods[] = {"get",     "put",  "post",  "delete",
                                                  "options", "head", "patch", "trace"};
  for (const auto& [path, item] : paths->members) {
    for (std::string_view method : kMethods) {
      const JsonNode* op = item.Find(method);
      if (!op) continue;
      Result<OpenApiOperation> read =
          ReadOperation(*doc.root_, path, std::string(method), item, *op);
      if (!read.ok()) return read.status();
      doc.operations_.push_back(std::move(read.value()));
    }
  }
  return doc;
}

Result<OpenApi> LoadBundledOpenApi() {
  std::optional<std::string_view> json = EmbeddedDocsFile("openapi.json");
  if (!json) return Internal("openapi.json is not bundled");
  return OpenApi::Parse(*json);
}

Status ValidateResponse(const OpenApi& doc, std::string_view method, std::string_view pattern,
                        int status, std::string_view json_body) {
  const JsonNode& root = doc.root();
  const std::string where = ToUpper(method) + " " + std::string(pattern);
  const JsonNode* paths = root.Find("paths");
  const JsonNode* item = paths ? paths->Find(pattern) : nullptr;
  if (!item) return NotFound("no OpenAPI path " + std::string(pattern));
  std::string lower = ToLower(method);
  if (lower == "head") lower = "get";
  const JsonNode* op = item->Find(lower);
  if (!op) return NotFound("no OpenAPI operation " + where);
  const JsonNode* responses = op->Find("responses");
  const JsonNode* response = nullptr;
  if (responses) {
    response = responses->Find(std::to_string(status));
    if (!response) response = responses->Find("default");
  }
  response = response ? Resolve(root, response) : nullptr;
  if (!response)
    return NotFound("no documented response " + std::to_string(status) + " for " + where);
  const JsonNode* schema = nullptr;
  if (const JsonNode* content = response->Find("content")) {
    for (const auto& [media_type, media] : content->members) {
      if (media_type.find("json") != std::string::npos) schema = media.Find("schema");
    }
  }
  if (!schema) {
    return InvalidArgument("response " + std::to_string(status) + " of " + where + " is not JSON");
  }
  Result<JsonNode> body = ParseJson(json_body);
  if (!body.ok()) return InvalidArgument(where + ": body: " + body.status().message());
  SchemaValidator validator(root);
  validator.Check(*schema, body.value(), "$");
  if (validator.errors().empty()) return Status::Ok();
  std::string message = where + " " + std::to_string(status) + ": ";
  for (size_t i = 0; i < validator.errors().size(); ++i) {
    message += (i ? "; " : "") + validator.errors()[i];
  }
  return InvalidArgument(std::move(message));
}

std::vector<std::string> CompareRoutesWithOpenApi(const std::vector<RouteSpec>& routes,
                                                  const OpenApi& doc) {
  std::map<std::string, const OpenApiOperation*> operations;
  for (const OpenApiOperation& op : doc.operations()) operations[op.method + " " + op.path] = &op;
  std::set<std::string> matched;
  std::vector<std::string> out;
  for (const RouteSpec& route : routes) {
    if (route.group == RouteGroup::kDocs) continue;
    for (const std::string& method : route.methods) {
      const std::string key = ToUpper(method) + " " + route.pattern;
      auto it = operations.find(key);
      if (it == operations.end()) {
        out.push_back(key + ": route (" + route.id + ") has no OpenAPI operation");
        continue;
      }
      matched.insert(key);
      CompareOperation(route, *it->second, key, out);
    }
  }
  for (const OpenApiOperation& op : doc.operations()) {
    const std::string key = op.method + " " + op.path;
    if (!matched.count(key)) out.push_back(key + ": OpenAPI operation has no route");
  }
  return out;
}

}  // namespace naap::api
