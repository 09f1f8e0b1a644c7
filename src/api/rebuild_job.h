#pragma once
// RebuildJob: the state of POST /v1/admin/rebuild (spec/api.md §4.3, §4.4). At most one rebuild
// runs at a time, on the job's own thread; status() is the `rebuild` object of
// /v1/admin/status. States: idle → running → succeeded | failed → running → …
// The work is a function the owner gives to Start(); it reports its progress and, for `verify`,
// the checksum comparison through Progress, and its outcome as a Status (its message becomes
// `error`). Thread-safe; the destructor waits for a running rebuild.
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/backend.h"
#include "base/status.h"
#include "base/time.h"

namespace naap::api {

class RebuildJob {
 public:
  // What a running rebuild reports; calls are visible in status() at once.
  class Progress {
   public:
    void SetLinesTotal(int64_t lines_total);
    void SetLinesReplayed(int64_t lines_replayed);
    void SetChecksums(bool match, std::vector<std::string> mismatched_tables);

   private:
    friend class RebuildJob;
    explicit Progress(RebuildJob& job) : job_(job) {}
    RebuildJob& job_;
  };
  using Work = std::function<Status(Progress&)>;

  // `clock` stamps started_at and finished_at; it must outlive the job.
  explicit RebuildJob(const Clock& clock);
  ~RebuildJob();
  RebuildJob(const RebuildJob&) = delete;
  RebuildJob& operator=(const RebuildJob&) = delete;

  // Starts `work` as rebuild `mode` and returns the running status; while another rebuild runs,
  // InvalidArgument whose message is the running rebuild's id (Backend::StartRebuild's contract).
  Result<RebuildStatus> Start(std::string_view mode, Work work);
  RebuildStatus status() const;
  // Blocks until no rebuild runs.
  void Wait();

 private:
  void Run(Work work);

  const Clock& clock_;
  mutable std::mutex mu_;  // guards status_ and started_
  RebuildStatus status_;
  int64_t started_ = 0;  // rebuilds started so far (numbers the ids)
  std::thread thread_;   // the latest rebuild's; touched by Start(), Wait() and the destructor
  std::mutex thread_mu_;
};

}  // namespace naap::api
