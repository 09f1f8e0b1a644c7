#pragma once
// FileSource: files, directories and stdin as a Source (spec/events.md §1.2).
//
// Each file is decompressed by magic bytes (ByteReader), an optional UTF-8 BOM is skipped, and
// the first non-whitespace byte picks the framing: `[` → each top-level array element is one
// message (its exact text span); anything else → NDJSON (LF, trailing CR dropped, whitespace-only
// lines skipped). Files are streamed in chunks; at most `max_buffered_bytes` of one message are
// held, a longer message is yielded as that head with Message::full_length set.
//
// Bad data is never a failure: a syntactically broken array yields the rest of the file as one
// broken_tail message and reading goes on with the next file. Operational failures (unreadable
// file, corrupt or truncated compressed stream) yield the incomplete tail as one broken_tail
// message, then end the source with a non-ok status().
//
// Provenance: source "file", path ("-" for stdin), 1-based line number or element index, and
// the byte offset of the message in the decompressed file (BOM included).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ingest/byte_reader.h"
#include "ingest/source.h"

namespace naap::ingest {

struct FileSourceOptions {
  size_t chunk_bytes = kPipeBufferBytes;  // read at a time: what a full pipe holds
  // Must exceed the decoder's max_message_bytes so a capped head is still oversized.
  size_t max_buffered_bytes = 4 << 20;
  // Provenance of the messages: source name, and the path label ("" = the file's path).
  std::string provenance_source = "file";
  std::string path_label;
};

class FileSource final : public Source {
 public:
  // Expands directories (recursively, regular files, lexical path order), leaving out hidden
  // entries (names starting with '.', and what is below a hidden directory). A path that does not
  // exist → NotFound before anything is read.
  static Result<std::unique_ptr<FileSource>> Open(const std::vector<std::string>& paths,
                                                  FileSourceOptions options = {});
  ~FileSource() override;

  bool Next(Message& out) override;
  Status status() const override { return status_; }

  // Total on-disk size of the inputs (stdin counts 0) and how much of it has been read.
  int64_t total_input_bytes() const { return total_input_bytes_; }
  int64_t input_bytes_consumed() const;

 private:
  enum class Framing : uint8_t { kUndecided, kNdjson, kArray };
  enum class ArrayState : uint8_t { kFirst, kValue, kElement, kAfterElement, kAfterArray };

  FileSource(std::vector<std::string> files, FileSourceOptions options, int64_t total_bytes);
  bool OpenNextFile();
  void CloseFile();
  bool Refill();  // compacts the buffer and reads one chunk; false at the end of the file
  void DecideFraming();
  bool NextLine(Message& out);
  bool NextElement(Message& out);
  void SpillIfOversized();
  void EmitMessage(Message& out, size_t end, bool strip_cr);
  void EmitTail(Message& out, size_t from);

  FileSourceOptions options_;
  std::vector<std::string> files_;
  size_t next_file_ = 0;
  int64_t total_input_bytes_ = 0;
  int64_t finished_input_bytes_ = 0;
  Status status_;

  // Current file.
  std::unique_ptr<ByteReader> reader_;
  std::string path_;
  Framing framing_ = Framing::kUndecided;
  std::string buf_;  // decompressed bytes; buf_[0] is at file offset buf_offset_
  int64_t buf_offset_ = 0;
  size_t begin_ = 0;  // start of the unconsumed / current message bytes
  size_t scan_ = 0;   // next byte to examine
  bool at_eof_ = false;
  bool file_done_ = false;  // no more messages from this file
  int64_t index_ = 0;       // line number or element index of the last message begun
  // Current message.
  int64_t message_offset_ = 0;
  std::string head_;     // the first max_buffered_bytes of an oversized message
  int64_t spilled_ = 0;  // bytes dropped from the buffer for it (0: not oversized)
  char last_spilled_ = 0;
  // Array scanner.
  ArrayState array_state_ = ArrayState::kFirst;
  std::vector<char> nesting_;  // open '{' / '[' inside the current element
  bool in_string_ = false;
  bool escaped_ = false;
  bool scalar_ = false;  // the current element is a bare number / literal
};

}  // namespace naap::ingest
