#pragma once
// Each subcommand registers itself on the root CLI11 app; main() only dispatches.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace naap::cli {

// Each Add*Command adds one subcommand; its callback sets `exit_code`.
void AddIngestCommand(CLI::App& app, int& exit_code);
void AddSimulateCommand(CLI::App& app, int& exit_code);
void AddChecksumCommand(CLI::App& app, int& exit_code);
void AddRebuildCommand(CLI::App& app, int& exit_code);
void AddServeCommand(CLI::App& app, int& exit_code);

// "KEY=VALUE" split at the first '=' (KEY trimmed, non-empty), e.g. a --kafka-config property.
std::optional<std::pair<std::string, std::string>> ParseAssignment(std::string_view text);

}  // namespace naap::cli
