#!/usr/bin/env bash
# API benchmark (docs/benchmarks.md, issue 4): `naap serve` holding a simulated period, loaded
# with wrk at a fixed concurrency, one route at a time; each route's requests/s and p50/p99 are
# reported next to /healthz on the same server in the same run (the server's own floor). Each
# route's first request is timed on its own (`first_ms`: after the restart its store pages may
# still be on disk, not in the page cache) before wrk measures the steady state. Each route starts
# on an idle server: requests of the previous route that wrk left in flight (a record list takes
# up to seconds) are waited out first, so their work is not counted in the next route's tail.
# Usage: bench/api.sh [BUILD_DIR] [HOURS] [SCALE]   (defaults: build, 168 h, scale 1 = a week at
# today's volume; the store is kept in bench/out/api-<hours>h-<scale>.db and reused)
set -euo pipefail
build=${1:-build}
hours=${2:-168}
scale=${3:-1}
out=bench/out
mkdir -p "$out"
naap="$build/naap"
db="$out/api-${hours}h-${scale}.db"
port=${NAAP_BENCH_PORT:-8377}
duration=${NAAP_BENCH_SECONDS:-5}
connections=8

if [ ! -s "$db" ]; then
  # Ends at the current hour so the default 24 h windows select the newest day of data.
  start=$(date -u -d "@$(( $(date +%s) / 3600 * 3600 - hours * 3600 ))" +%Y-%m-%dT%H:00:00Z)
  "$naap" simulate --hours "$hours" --scale "$scale" --seed 11 --start "$start" --out - |
    "$naap" ingest --store "sqlite:$db" --json - > "$out/api-ingest.out"
fi

t0=$(date +%s.%N)
"$naap" serve --store "sqlite:$db" --listen "127.0.0.1:$port" --rate-limit-rps 0 \
  > "$out/api-serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
# The server answers at once and restores its facts meanwhile: wait for /readyz to report them.
until curl -s "http://127.0.0.1:$port/readyz" | grep -q '"name":"facts","ok":true'; do sleep 0.5; done
echo "serve ready in $(echo "$t0 $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}') s (facts restored from the raw log)"

# Path and query values taken from the data: the first orchestrator, gateway, pipeline, model and
# paid stream session the server lists.
first() {  # first <path> <field>: the field of the first row of a list route
  curl -sf "http://127.0.0.1:$port$1" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"][0][sys.argv[1]])' "$2"
}
orch=$(first /v1/net/orchestrators address)
gateway=$(first /v1/net/gateways address)
pipeline=$(first /v1/pipelines pipeline)
model=$(first /v1/net/models model)
stream=$(first /v1/payments/by-stream stream_id)

# group | kind | path (default window: the last 24 h). Every GET route of groups A and B, and
# /v1/quality. kind: agg = figures summed from the serving tables (the target applies), rec = a
# list or detail of individual records (events, jobs, samples, one session).
routes=(
  "floor|-|/healthz"
  "A|agg|/v1/dashboard/kpi"
  "A|agg|/v1/dashboard/pipelines"
  "A|agg|/v1/dashboard/orchestrators"
  "A|agg|/v1/dashboard/gpu-capacity"
  "A|agg|/v1/dashboard/pipeline-catalog"
  "A|agg|/v1/dashboard/pricing"
  "A|rec|/v1/dashboard/job-feed"
  "A|agg|/v1/streaming/models"
  "A|agg|/v1/streaming/orchestrators"
  "A|agg|/v1/streaming/sla"
  "A|agg|/v1/streaming/demand"
  "A|agg|/v1/streaming/gpu-metrics"
  "A|agg|/v1/requests/models"
  "A|agg|/v1/requests/orchestrators"
  "A|agg|/v1/requests/ai-batch/summary"
  "A|rec|/v1/requests/ai-batch/jobs"
  "A|agg|/v1/requests/ai-batch/llm-summary"
  "A|agg|/v1/requests/byoc/summary"
  "A|rec|/v1/requests/byoc/jobs"
  "A|agg|/v1/requests/byoc/workers"
  "A|agg|/v1/requests/byoc/auth"
  "A|agg|/v1/discover/orchestrators"
  "B|agg|/v1/net/summary"
  "B|agg|/v1/net/orchestrators"
  "B|agg|/v1/net/orchestrators/$orch"
  "B|agg|/v1/net/gpu"
  "B|agg|/v1/net/models"
  "B|agg|/v1/net/model?model_id=$model"
  "B|agg|/v1/net/capacity"
  "B|agg|/v1/streams/active"
  "B|agg|/v1/streams/summary"
  "B|agg|/v1/streams/history"
  "B|agg|/v1/streams/attribution"
  "B|rec|/v1/streams/samples"
  "B|rec|/v1/streams/$stream"
  "B|agg|/v1/perf/fps"
  "B|agg|/v1/perf/fps/history"
  "B|agg|/v1/perf/latency"
  "B|agg|/v1/perf/webrtc"
  "B|agg|/v1/perf/e2e-latency"
  "B|agg|/v1/perf/e2e-latency/history"
  "B|agg|/v1/perf/by-model"
  "B|agg|/v1/payments/summary"
  "B|agg|/v1/payments/history"
  "B|agg|/v1/payments/by-pipeline"
  "B|agg|/v1/payments/by-orch"
  "B|agg|/v1/payments/by-gateway"
  "B|agg|/v1/payments/by-stream"
  "B|agg|/v1/reliability/summary"
  "B|agg|/v1/reliability/history"
  "B|agg|/v1/reliability/orchs"
  "B|rec|/v1/failures"
  "B|agg|/v1/failures/by-pipeline"
  "B|agg|/v1/failures/by-orch"
  "B|agg|/v1/leaderboard"
  "B|agg|/v1/leaderboard/$orch"
  "B|agg|/v1/net/gateways"
  "B|agg|/v1/net/gateways/$gateway"
  "B|agg|/v1/net/gateways/$gateway/orchs"
  "B|agg|/v1/net/pricing"
  "B|agg|/v1/net/pricing/$orch"
  "B|agg|/v1/pipelines"
  "B|agg|/v1/pipelines/$pipeline"
  "B|agg|/v1/sla/compliance"
  "B|agg|/v1/network/demand"
  "B|agg|/v1/gpu/network-demand"
  "B|agg|/v1/gpu/metrics"
  "C|agg|/v1/quality"
)
# Waits until the server serves no request but the one asking (at most 60 s).
settle() {
  for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^http_requests_in_flight 1$' && return
    sleep 0.1
  done
  echo "warning: requests still in flight after 60 s" >&2
}
printf '%-5s %-4s %-50s %9s %8s %9s %9s %6s %s\n' group kind route first_ms req/s p50_ms p99_ms /floor target
floor_p99=""
for entry in "${routes[@]}"; do
  IFS='|' read -r group kind path <<< "$entry"
  settle
  first=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port$path" |
          awk '{printf "%.3f", $1 * 1000}')
  wrk -t1 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port$path" > "$out/wrk.txt"
  read -r rps p50 p99 < <(awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%s %.3f %.3f\n", rps, p50, p99 }' "$out/wrk.txt")
  if grep -q "Non-2xx" "$out/wrk.txt"; then echo "warning: $path answered non-2xx" >&2; fi
  [ -n "$floor_p99" ] || floor_p99=$p99
  ratio=$(awk -v a="$p99" -v b="$floor_p99" 'BEGIN { printf "%.1f", a / b }')
  verdict=""
  if [ "$kind" = agg ]; then
    verdict=$(awk -v r="$ratio" -v p="$p99" 'BEGIN { print (r <= 3 && p < 10) ? "met" : "MISSED" }')
  fi
  printf '%-5s %-4s %-50s %9.3f %8.0f %9.3f %9.3f %6s %s\n' "$group" "$kind" "$path" "$first" \
    "$rps" "$p50" "$p99" "$ratio" "$verdict"
done
echo "wrk -t1 -c$connections -d${duration}s per route; server: naap serve on $(nproc) cores, same machine"
