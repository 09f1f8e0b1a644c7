#pragma once
// Response compression of spec/api.md §1.12: gzip (zlib, RFC 1952 member with mtime 0) of
// compressible bodies when the client's Accept-Encoding allows it.
#include <string>
#include <string_view>

namespace naap::api {

// True when `accept_encoding` lists gzip with q > 0, or `*` with q > 0 and no explicit gzip;q=0.
bool AcceptsGzip(std::string_view accept_encoding);
// JSON, problem JSON, YAML, text/*, JavaScript and CSS.
bool IsCompressibleType(std::string_view content_type);
std::string GzipCompress(std::string_view data);

}  // namespace naap::api
