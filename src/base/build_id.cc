#include "base/build_id.h"

#include <elf.h>
#include <link.h>

#include <cstdint>
#include <cstring>

namespace naap {
namespace {

// ELF notes are 4-byte aligned: header, name (with its NUL), then the descriptor.
constexpr size_t Aligned4(size_t n) { return (n + 3) & ~size_t{3}; }

int FindInMainProgram(dl_phdr_info* info, size_t, void* out) {
  std::string& id = *static_cast<std::string*>(out);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    if (segment.p_type != PT_NOTE) continue;
    const auto* at = reinterpret_cast<const unsigned char*>(info->dlpi_addr + segment.p_vaddr);
    const unsigned char* end = at + segment.p_memsz;
    while (at + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) note;
      std::memcpy(&note, at, sizeof note);
      const unsigned char* name = at + sizeof note;
      const unsigned char* desc = name + Aligned4(note.n_namesz);
      if (desc + note.n_descsz > end) break;
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0) {
        static constexpr char kHex[] = "0123456789abcdef";
        for (size_t b = 0; b < note.n_descsz; ++b) {
          id.push_back(kHex[desc[b] >> 4]);
          id.push_back(kHex[desc[b] & 15]);
        }
        return 1;
      }
      at = desc + Aligned4(note.n_descsz);
    }
  }
  return 1;  // the first object is the main program: stop either way
}

}  // namespace

std::string BuildId() {
  static const std::string id = [] {
    std::string found;
    dl_iterate_phdr(FindInMainProgram, &found);
    return found;
  }();
  return id;
}

}  // namespace naap
