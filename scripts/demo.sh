#!/usr/bin/env bash
# make demo: backfills the last hour(s) of the built-in network simulator into naap's embedded
# store, then runs `naap serve` with the simulator feeding it live, and prints the URLs and a few
# curl examples (README "API"). Ctrl-C stops the server gracefully.
#   NAAP_DEMO_STORE (demo.db)  NAAP_DEMO_RATE (200 events/s)  NAAP_DEMO_HOURS (1; 0 = no backfill)
#   NAAP_LISTEN (127.0.0.1:8000)
set -euo pipefail
naap=${1:-build/naap}
store=${NAAP_DEMO_STORE:-demo.db}
rate=${NAAP_DEMO_RATE:-200}
hours=${NAAP_DEMO_HOURS:-1}
listen=${NAAP_LISTEN:-127.0.0.1:8000}
base="http://${listen/0.0.0.0/127.0.0.1}"

if [ "$hours" != 0 ]; then
  # The simulator's scale 1 is about 5M events a day (≈ 58 events/s): match the live rate.
  scale=$(awk -v r="$rate" 'BEGIN { printf "%.4f", r / (5e6 / 86400) }')
  echo "demo: backfilling ${hours} h of the simulated Livepeer AI network (${rate} events/s) into sqlite:${store}"
  "$naap" simulate --hours "$hours" --scale "$scale" --seed "$(date +%s)" --out - |
    "$naap" ingest --store "sqlite:${store}" -
fi

cat <<EXAMPLES
demo: serving sqlite:${store} on ${base}, fed live by the simulator at ${rate} events/s. Try:
  curl -s ${base}/healthz
  curl -s ${base}/v1/dashboard/kpi
  curl -s '${base}/v1/dashboard/orchestrators?window=1h'
  curl -s '${base}/v1/streaming/sla?window=2h&limit=3'
  curl -s ${base}/v1/net/summary
  curl -s ${base}/v1/streams/active
  curl -s ${base}/metrics | grep '^naap_'
EXAMPLES
exec "$naap" serve --store "sqlite:${store}" --listen "$listen" --source "sim:${rate}"
