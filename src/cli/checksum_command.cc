// `naap checksum [--store URI]`: one line per serving table, `<table> <sha256> <slices>`, where
// the SHA-256 covers (org, hour, slice SHA-256) of every stored slice of the table in order
// (publish::StoredTableChecksums). Equal lines mean byte-identical serving tables; ingest
// accounting and other arrival-dependent data are not covered. Exit 1 on a store error, a missing
// store included (it never creates one).
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "publish/analytics.h"
#include "store/store.h"

namespace naap::cli {
namespace {

int RunChecksum(const std::string& store_uri) {
  auto fail = [](const Status& st) {
    std::fprintf(stderr, "naap checksum: %s\n", st.ToString().c_str());
    return 1;
  };
  auto store = store::OpenStore(store_uri, store::OpenMode::kReadOnly);
  if (!store.ok()) return fail(store.status());
  auto checksums = publish::StoredTableChecksums(**store, publish::ServingTableNames());
  if (!checksums.ok()) return fail(checksums.status());
  for (const publish::TableChecksum& c : *checksums) {
    std::printf("%s %s %lld\n", c.table.c_str(), c.sha256_hex.c_str(),
                static_cast<long long>(c.slices));
  }
  return 0;
}

}  // namespace

void AddChecksumCommand(CLI::App& app, int& exit_code) {
  auto store_uri = std::make_shared<std::string>("sqlite:naap.db");
  CLI::App* cmd =
      app.add_subcommand("checksum", "Print the checksum and slice count of every serving table");
  cmd->add_option("--store", *store_uri, "store URI: sqlite:PATH or memory:")
      ->capture_default_str();
  cmd->callback([store_uri, &exit_code] { exit_code = RunChecksum(*store_uri); });
}

}  // namespace naap::cli
