#include "ingest/file_source.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace naap::ingest {
namespace {

namespace fs = std::filesystem;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool IsBlank(std::string_view s) { return std::all_of(s.begin(), s.end(), IsSpace); }

// A byte that ends a bare scalar element (number, literal) in an array.
bool EndsScalar(char c) {
  return IsSpace(c) || c == ',' || c == ']' || c == '}' || c == '[' || c == '{' || c == '"';
}

}  // namespace

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::vector<std::string>& paths,
                                                     FileSourceOptions options) {
  std::vector<std::string> files;
  int64_t total = 0;
  auto add_file = [&](const fs::path& p) {
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    if (!ec) total += static_cast<int64_t>(size);
    files.push_back(p.string());
  };
  for (const std::string& path : paths) {
    if (path == "-") {
      files.push_back(path);
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) return NotFound(path + ": no such file or directory");
    if (!fs::is_directory(st)) {
      add_file(path);
      continue;
    }
    std::vector<fs::path> found;
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->path().filename().string().starts_with('.')) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;  // hidden: .git, editor swap files, .DS_Store …
      }
      if (it->is_regular_file()) found.push_back(it->path());
    }
    if (ec) return IoError(path + ": " + ec.message());
    std::sort(found.begin(), found.end(),
              [](const fs::path& a, const fs::path& b) { return a.string() < b.string(); });
    for (const fs::path& p : found) add_file(p);
  }
  return std::unique_ptr<FileSource>(new FileSource(std::move(files), options, total));
}

FileSource::FileSource(std::vector<std::string> files, FileSourceOptions options,
                       int64_t total_bytes)
    : options_(options), files_(std::move(files)), total_input_bytes_(total_bytes) {}

FileSource::~FileSource() = default;

int64_t FileSource::input_bytes_consumed() const {
  return finished_input_bytes_ + (reader_ ? reader_->input_bytes_consumed() : 0);
}

bool FileSource::Next(Message& out) {
  while (status_.ok()) {
    if (reader_ == nullptr && !OpenNextFile()) return false;
    if (framing_ == Framing::kUndecided) DecideFraming();
    bool got = framing_ == Framing::kArray ? NextElement(out) : NextLine(out);
    if (got) return true;
    CloseFile();
  }
  return false;
}

bool FileSource::OpenNextFile() {
  if (next_file_ == files_.size()) return false;
  path_ = files_[next_file_++];
  auto reader = ByteReader::Open(path_);
  if (!reader.ok()) {
    status_ = reader.status();
    return false;
  }
  reader_ = std::move(reader.value());
  framing_ = Framing::kUndecided;
  buf_.clear();
  buf_offset_ = 0;
  begin_ = scan_ = 0;
  at_eof_ = file_done_ = false;
  index_ = 0;
  spilled_ = 0;
  array_state_ = ArrayState::kFirst;
  return true;
}

void FileSource::CloseFile() {
  finished_input_bytes_ += reader_->input_bytes_consumed();
  reader_.reset();
}

bool FileSource::Refill() {
  if (at_eof_) return false;
  if (begin_ > 0) {
    buf_.erase(0, begin_);
    buf_offset_ += static_cast<int64_t>(begin_);
    scan_ -= begin_;
    begin_ = 0;
  }
  if (reader_->Read(buf_, options_.chunk_bytes) > 0) return true;
  at_eof_ = true;
  if (!reader_->status().ok()) status_ = reader_->status();
  return false;
}

void FileSource::DecideFraming() {
  while (buf_.size() < 3 && Refill()) {
  }
  if (std::string_view(buf_).starts_with("\xEF\xBB\xBF")) begin_ = scan_ = 3;
  // Leading whitespace: blank lines for NDJSON, insignificant for an array.
  for (;;) {
    for (; scan_ < buf_.size() && IsSpace(buf_[scan_]); ++scan_) {
      if (buf_[scan_] == '\n') {
        ++index_;
        begin_ = scan_ + 1;
      }
    }
    if (scan_ < buf_.size() || !Refill()) break;
  }
  if (scan_ < buf_.size() && buf_[scan_] == '[') {
    framing_ = Framing::kArray;
    index_ = 0;  // counts elements, not the lines skipped above
    begin_ = ++scan_;
  } else {
    framing_ = Framing::kNdjson;
    scan_ = begin_;
  }
}

bool FileSource::NextLine(Message& out) {
  if (file_done_) return false;
  for (;;) {
    const void* nl = std::memchr(buf_.data() + scan_, '\n', buf_.size() - scan_);
    if (nl != nullptr) {
      size_t end = static_cast<const char*>(nl) - buf_.data();
      scan_ = end + 1;
      ++index_;
      if (spilled_ == 0 && IsBlank(std::string_view(buf_).substr(begin_, end - begin_))) {
        begin_ = scan_;
        continue;
      }
      EmitMessage(out, end, /*strip_cr=*/true);
      begin_ = scan_;
      return true;
    }
    scan_ = buf_.size();
    SpillIfOversized();
    if (Refill()) continue;
    if (!status_.ok()) {
      EmitTail(out, begin_);
      return true;
    }
    file_done_ = true;
    if (spilled_ == 0 && IsBlank(std::string_view(buf_).substr(begin_))) return false;
    ++index_;
    EmitMessage(out, buf_.size(), /*strip_cr=*/true);
    begin_ = scan_;
    return true;
  }
}

bool FileSource::NextElement(Message& out) {
  if (file_done_) return false;
  for (;;) {
    while (scan_ < buf_.size()) {
      char c = buf_[scan_];
      switch (array_state_) {
        case ArrayState::kFirst:
        case ArrayState::kValue:
          if (IsSpace(c)) break;
          if (c == ']' && array_state_ == ArrayState::kFirst) {
            array_state_ = ArrayState::kAfterArray;
            break;
          }
          if (c == ',' || c == ']' || c == '}') {
            EmitTail(out, scan_);
            return true;
          }
          begin_ = scan_;
          ++index_;
          array_state_ = ArrayState::kElement;
          nesting_.clear();
          in_string_ = escaped_ = scalar_ = false;
          if (c == '{' || c == '[') {
            nesting_.push_back(c);
          } else if (c == '"') {
            in_string_ = true;
          } else {
            scalar_ = true;
          }
          ++scan_;
          continue;
        case ArrayState::kElement: {
          bool complete = false;
          if (scalar_) {
            if (EndsScalar(c)) {
              array_state_ = ArrayState::kAfterElement;
              EmitMessage(out, scan_, /*strip_cr=*/false);
              begin_ = scan_;
              return true;
            }
          } else if (in_string_) {
            if (escaped_) {
              escaped_ = false;
            } else if (c == '\\') {
              escaped_ = true;
            } else if (c == '"') {
              in_string_ = false;
              complete = nesting_.empty();
            }
          } else if (c == '"') {
            in_string_ = true;
          } else if (c == '{' || c == '[') {
            nesting_.push_back(c);
          } else if (c == '}' || c == ']') {
            if (nesting_.back() != (c == '}' ? '{' : '[')) {
              EmitTail(out, begin_);
              return true;
            }
            nesting_.pop_back();
            complete = nesting_.empty();
          }
          ++scan_;
          if (complete) {
            array_state_ = ArrayState::kAfterElement;
            EmitMessage(out, scan_, /*strip_cr=*/false);
            begin_ = scan_;
            return true;
          }
          continue;
        }
        case ArrayState::kAfterElement:
          if (IsSpace(c)) break;
          if (c == ',') {
            array_state_ = ArrayState::kValue;
          } else if (c == ']') {
            array_state_ = ArrayState::kAfterArray;
          } else {
            EmitTail(out, scan_);
            return true;
          }
          break;
        case ArrayState::kAfterArray:
          if (!IsSpace(c)) {
            EmitTail(out, scan_);
            return true;
          }
          break;
      }
      begin_ = ++scan_;  // a byte between elements: consumed
    }
    if (array_state_ == ArrayState::kElement) SpillIfOversized();
    if (Refill()) continue;
    if (array_state_ == ArrayState::kAfterArray && status_.ok()) {
      file_done_ = true;
      return false;
    }
    // Unterminated array or a read failure: what is left is the broken tail.
    EmitTail(out, array_state_ == ArrayState::kElement ? begin_ : scan_);
    return true;
  }
}

void FileSource::SpillIfOversized() {
  size_t pending = buf_.size() - begin_;
  if (spilled_ == 0) {
    if (pending <= options_.max_buffered_bytes) return;
    message_offset_ = buf_offset_ + static_cast<int64_t>(begin_);
    head_.assign(buf_, begin_, options_.max_buffered_bytes);
  }
  if (pending > 0) last_spilled_ = buf_.back();
  spilled_ += static_cast<int64_t>(pending);
  begin_ = buf_.size();
}

void FileSource::EmitMessage(Message& out, size_t end, bool strip_cr) {
  if (spilled_ == 0) {
    message_offset_ = buf_offset_ + static_cast<int64_t>(begin_);
    std::string_view bytes(buf_.data() + begin_, end - begin_);
    if (strip_cr && bytes.ends_with('\r')) bytes.remove_suffix(1);
    // The cap holds whatever the chunking: the same message always yields the same bytes.
    out.full_length = bytes.size() > options_.max_buffered_bytes ? bytes.size() : 0;
    out.bytes = bytes.substr(0, options_.max_buffered_bytes);
  } else {
    int64_t total = spilled_ + static_cast<int64_t>(end - begin_);
    char last = end > begin_ ? buf_[end - 1] : last_spilled_;
    if (strip_cr && last == '\r') --total;
    out.bytes = head_;
    out.full_length = total;
    spilled_ = 0;
  }
  out.kafka_topic = {};
  out.broken_tail = false;
  out.provenance.source = options_.provenance_source;
  out.provenance.topic.clear();
  out.provenance.partition = -1;
  out.provenance.offset = -1;
  out.provenance.path = options_.path_label.empty() ? path_ : options_.path_label;
  out.provenance.index = index_;
  out.provenance.byte_offset = message_offset_;
}

void FileSource::EmitTail(Message& out, size_t from) {
  bool message_open = framing_ == Framing::kArray && array_state_ == ArrayState::kElement;
  if (!message_open) {
    ++index_;
    begin_ = from;
  }
  do {
    scan_ = buf_.size();
    SpillIfOversized();
  } while (Refill());
  EmitMessage(out, buf_.size(), /*strip_cr=*/false);
  out.broken_tail = true;
  file_done_ = true;
}

}  // namespace naap::ingest
