// naap: one binary, subcommands (ingest, simulate, ...). See README.md.
#include <CLI/CLI.hpp>

#include "base/memory.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  // 250 ms instead of 25 ms: a day's ingest faults 0.35M pages back instead of 1.8M.
  naap::KeepFreedMemoryFor(std::chrono::milliseconds(250));
  CLI::App app{"naap: analytics for the Livepeer AI network"};
  app.require_subcommand(1);
  int exit_code = 0;
  naap::cli::AddIngestCommand(app, exit_code);
  naap::cli::AddSimulateCommand(app, exit_code);
  naap::cli::AddChecksumCommand(app, exit_code);
  naap::cli::AddRebuildCommand(app, exit_code);
  naap::cli::AddServeCommand(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
