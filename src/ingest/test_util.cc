#include "ingest/test_util.h"

#include <zlib.h>
#include <zstd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace naap::ingest::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "naap_ingest_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(std::string_view name, std::string_view bytes) const {
  std::filesystem::path full = std::filesystem::path(path_) / name;
  std::filesystem::create_directories(full.parent_path());
  std::ofstream(full, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return full.string();
}

std::string Gzip(std::string_view plain) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, plain.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Zstd(std::string_view plain) {
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), 3));
  return out;
}

std::vector<Yielded> Drain(Source& source) {
  std::vector<Yielded> all;
  Message m;
  while (source.Next(m)) {
    all.push_back({std::string(m.bytes), m.broken_tail, m.full_length, m.provenance.path,
                   m.provenance.index, m.provenance.byte_offset});
  }
  return all;
}

bool VectorSource::Next(Message& out) {
  if (next_ == messages_.size()) return false;
  out = Message{};
  out.bytes = messages_[next_++];
  out.provenance.source = "test";
  out.provenance.index = static_cast<int64_t>(next_);
  return true;
}

cpu_set_t FirstCpus(int count) {
  cpu_set_t allowed, chosen;
  CPU_ZERO(&chosen);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return chosen;
  for (int cpu = 0; cpu < CPU_SETSIZE && CPU_COUNT(&chosen) < count; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) CPU_SET(cpu, &chosen);
  }
  return chosen;
}

int64_t CountWhereItStops(const std::atomic<int64_t>& count, int64_t all) {
  int64_t seen = -1;
  for (int still = 0; still < 20 && seen < all;) {  // 20 looks 50 ms apart
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const int64_t now = count;
    still = now == seen ? still + 1 : 0;
    seen = now;
  }
  return seen;
}

}  // namespace naap::ingest::testing
