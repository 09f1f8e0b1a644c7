#pragma once
// Helpers for end-to-end tests: run a command, read files, make scratch directories.
#include <string>

namespace naap::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
};
// Runs `command` through /bin/sh; stderr passes through to the test log.
CommandResult RunCommand(const std::string& command);
std::string ReadFile(const std::string& path);
// A fresh empty directory under $TMPDIR, removed by the caller's fixture.
std::string MakeTempDir();
// The last non-empty line of text.
std::string LastLine(const std::string& text);

}  // namespace naap::testing
