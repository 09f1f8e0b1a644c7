#include "event/test_util.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace naap::event::testing {

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool HasNote(const Decoded& d, std::string_view note, std::string_view detail_part) {
  for (const auto& n : d.notes) {
    if (n.note == note && n.detail.find(detail_part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace naap::event::testing
