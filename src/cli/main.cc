// naap: one binary, subcommands (ingest, simulate, ...). See README.md.
// Exit codes: 0 success; 1 an operational failure (store, input, network); 2 a usage error (an
// unknown command or option, a missing or invalid value), whether the option parser or a command
// finds it.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "base/build_id.h"
#include "base/memory.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  // 250 ms instead of 25 ms: a day's ingest faults 0.35M pages back instead of 1.8M.
  naap::KeepFreedMemoryFor(std::chrono::milliseconds(250));
  CLI::App app{"naap: analytics for the Livepeer AI network"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "naap build " + naap::BuildId());
  int exit_code = 0;
  naap::cli::AddIngestCommand(app, exit_code);
  naap::cli::AddSimulateCommand(app, exit_code);
  naap::cli::AddChecksumCommand(app, exit_code);
  naap::cli::AddRebuildCommand(app, exit_code);
  naap::cli::AddServeCommand(app, exit_code);
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* command : app.get_subcommands({})) known |= command->check_name(argv[1]);
    if (!known) {
      std::fprintf(stderr,
                   "naap: unknown command \"%s\" (commands: ingest, simulate, checksum, rebuild, "
                   "serve; naap --help)\n",
                   argv[1]);
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help and --version exit 0
  }
  return exit_code;
}
