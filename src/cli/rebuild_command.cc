// `naap rebuild [--store URI] [--from T] [--to T]`: replays the raw event log through the analytics
// engine and, in one transaction, deletes the serving slices of the range and publishes them again
// (publish::Analytics::Rebuild). T is RFC 3339; the range is widened to whole UTC days and defaults
// to everything. Exit 2 for a usage error (an empty T included), 1 for a store or raw-log failure
// (a missing store included: it never creates one).
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "base/memory.h"
#include "cli/commands.h"
#include "event/normalize.h"
#include "publish/analytics.h"
#include "store/store.h"

namespace naap::cli {
namespace {

struct RebuildArgs {
  std::string store_uri = "sqlite:naap.db";
  std::optional<std::string> from, to;
};

// Sets `bound` from text (absent leaves it unset); false, with a message, when text does not
// parse (an empty text included).
bool ParseBound(const std::optional<std::string>& text, const char* flag,
                std::optional<Millis>& bound) {
  if (!text) return true;
  bound = event::ParseTimestampText(*text);
  if (!bound)
    std::fprintf(stderr, "naap rebuild: invalid %s \"%s\" (RFC 3339 expected)\n", flag,
                 text->c_str());
  return bound.has_value();
}

int RunRebuild(const RebuildArgs& args) {
  UseLargePages();
  std::optional<Millis> from, to;
  if (!ParseBound(args.from, "--from", from) || !ParseBound(args.to, "--to", to)) return 2;
  if (from && to && *from > *to) {
    std::fprintf(stderr, "naap rebuild: --from is after --to\n");
    return 2;
  }
  auto fail = [](const Status& st) {
    std::fprintf(stderr, "naap rebuild: %s\n", st.ToString().c_str());
    return 1;
  };
  auto store = store::OpenStore(args.store_uri, store::OpenMode::kExisting);
  if (!store.ok()) return fail(store.status());
  publish::Analytics analytics(**store);
  auto stats = analytics.Rebuild(from, to);
  if (!stats.ok()) return fail(stats.status());
  std::printf("%lld slices built, %lld written\n", static_cast<long long>(stats->built),
              static_cast<long long>(stats->written));
  return 0;
}

}  // namespace

void AddRebuildCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RebuildArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rebuild", "Republish the serving slices of a time range from the raw event log");
  cmd->add_option("--store", args->store_uri, "store URI: sqlite:PATH or memory:")
      ->capture_default_str();
  cmd->add_option("--from", args->from, "first time to rebuild, RFC 3339 (default: the start)");
  cmd->add_option("--to", args->to, "last time to rebuild, RFC 3339 (default: the end)");
  cmd->callback([args, &exit_code] { exit_code = RunRebuild(*args); });
}

}  // namespace naap::cli
