// Replaced by the module that owns this subcommand.
#include "cli/commands.h"
namespace naap::cli {
void AddSimulateCommand(CLI::App& app, int& exit_code) { app.add_subcommand("simulate", "(in progress)"); }
}  // namespace naap::cli
