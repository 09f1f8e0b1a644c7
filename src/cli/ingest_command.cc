// Replaced by the module that owns this subcommand.
#include "cli/commands.h"
namespace naap::cli {
void AddIngestCommand(CLI::App& app, int& exit_code) { app.add_subcommand("ingest", "(in progress)"); }
}  // namespace naap::cli
