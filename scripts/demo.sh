#!/usr/bin/env bash
# make demo: feeds the built-in network simulator into naap's embedded store and shows what was
# ingested and published. (`naap serve` and its URLs take over this script once the API lands.)
set -euo pipefail
naap=${1:-build/naap}
store=${NAAP_DEMO_STORE:-demo.db}
hours=${NAAP_DEMO_HOURS:-6}
echo "demo: simulating ${hours} h of the Livepeer AI network (53 real orchestrators) into sqlite:${store}"
"$naap" simulate --hours "$hours" --seed 1 --out - --truth "${store}.truth.json" |
  "$naap" ingest --store "sqlite:${store}" -
echo "demo: serving tables published (table, checksum, hourly slices):"
"$naap" checksum --store "sqlite:${store}"
echo "demo: the simulator's ground truth is in ${store}.truth.json; inspect the store with: sqlite3 ${store} .tables"
