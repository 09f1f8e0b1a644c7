#pragma once
// Helpers for end-to-end tests that run long-lived binaries: a child process with its stdin and
// stdout on pipes (stderr passes through to the test log), and a minimal HTTP GET.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace naap::testing {

class ChildProcess {
 public:
  // Starts argv[0] with argv[1..]; on failure pid() is -1.
  explicit ChildProcess(const std::vector<std::string>& argv);
  // Kills (SIGKILL) and reaps the child if it is still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Reads stdout until a line matches `pattern` and returns that line; nullopt at EOF or after
  // `limit`. Every line read is kept in output().
  std::optional<std::string> WaitForLine(const std::regex& pattern,
                                         std::chrono::milliseconds limit);
  // Writes `line` and a newline to the child's stdin.
  bool WriteLine(const std::string& line);
  void Signal(int signal);
  // Waits for the child to exit: its exit code, 128 + signal when killed, -1 after `limit`.
  int Wait(std::chrono::milliseconds limit);
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  bool exited_ = false;
  std::string output_;
  std::string pending_;  // stdout read but not yet split into lines
};

struct HttpResult {
  int status = 0;  // 0 when nothing answered
  std::string body;
};
// One GET to 127.0.0.1:`port` over a fresh connection; `headers` are extra "Name: value\r\n" lines.
HttpResult HttpGet(uint16_t port, const std::string& target, const std::string& headers = "");
// Polls /readyz until a `naap serve` reports its facts restored (its `facts` check ok); false
// when that takes longer than `limit`.
bool WaitFactsRestored(uint16_t port, std::chrono::milliseconds limit);

}  // namespace naap::testing
