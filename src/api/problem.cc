#include "api/problem.h"

#include "base/json_writer.h"

namespace naap::api {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

std::string ProblemBody(int status, std::string_view detail, std::string_view instance,
                        std::string_view request_id, std::string_view extension_json) {
  JsonWriter w;
  w.BeginObject()
      .Key("type")
      .String("about:blank")
      .Key("title")
      .String(ReasonPhrase(status))
      .Key("status")
      .Int(status)
      .Key("detail")
      .String(detail)
      .Key("instance")
      .String(instance)
      .Key("request_id")
      .String(request_id);
  std::string body = w.Take();
  if (!extension_json.empty()) {
    body.push_back(',');
    body.append(extension_json);
  }
  body += "}\n";
  return body;
}

}  // namespace naap::api
