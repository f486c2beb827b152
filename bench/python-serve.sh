#!/usr/bin/env bash
# Benchmark: serving simple/<project>/ pages. OnDemand-syncs a generated PEP 503 index (PROJECTS x FILES_PER_PROJECT,
# the same tree as python-sync.sh) from a local nginx, copies every page packyard serves into a static PEP 503 tree
# (same bytes), and runs wrk against packyard and against a second nginx serving that tree (2 workers, sendfile on,
# access_log off), alternately in one run. A wrk Lua script rotates over every project's page (PAGES of them).
#   bash bench/python-serve.sh         (PROJECTS=5000 PAGES=5000 DURATION=10s CONNECTIONS=32 BENCH_NO_BUILD=1 BENCH_KEEP=1)
# Target (issue 4): packyard >= 70% of nginx req/s with 32 connections.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PROJECTS=${PROJECTS:-5000}
FILES_PER_PROJECT=${FILES_PER_PROJECT:-10}
PAGES=${PAGES:-$PROJECTS}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-15s} # the tiered JIT is still compiling hot paths 20 s into a load: 3 s measured a process half-warm
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
TIMEOUT=${TIMEOUT:-600}

bench_init
bench_build

UPSTREAM=$BENCH_CACHE/python-index-$PROJECTS-$FILES_PER_PROJECT
if [[ ! -f $UPSTREAM/.complete ]]; then
    log "generating a simple index of $PROJECTS projects x $FILES_PER_PROJECT files into $UPSTREAM"
    rm -rf "$UPSTREAM"
    python3 "$(dirname "$0")/python-index.py" "$UPSTREAM" "$PROJECTS" "$FILES_PER_PROJECT"
fi
chmod -R a+rX "$BENCH_CACHE"
UPSTREAM_PORT=$(free_port)
bench_nginx upstream "$UPSTREAM" "$UPSTREAM_PORT"

bench_postgres
MANIFESTS=$BENCH_WORK/manifests
mkdir -p "$MANIFESTS"
cat >"$MANIFESTS/bench.yaml" <<EOF
apiVersion: packyard.io/v1alpha1
kind: Remote
metadata: { name: pypi-local, namespace: default }
spec:
  type: python
  url: http://127.0.0.1:$UPSTREAM_PORT/simple/
  policy: OnDemand
  python: { prereleases: true }
---
apiVersion: packyard.io/v1alpha1
kind: Repository
metadata: { name: pypi, namespace: default }
spec:
  type: python
  remoteRef: { name: pypi-local }
  sync: { mode: Mirror }
---
apiVersion: packyard.io/v1alpha1
kind: Distribution
metadata: { name: pypi, namespace: default }
spec:
  basePath: bench/pypi
  repositoryRef: { name: pypi }
EOF

PORT=$(free_port)
T0=$(now)
bench_packyard "$MANIFESTS" "$BENCH_WORK/data" "$PORT"
log "packyard pid $PACKYARD_PID on $PACKYARD_URL, OnDemand sync of $PROJECTS projects"
wait_port "$PORT" 60
wait_for "$READY_ONE_REPOSITORY_AND_DISTRIBUTION" "$TIMEOUT" "the sync"
log "synced, published and Ready in $(elapsed "$T0" "$(now)") s"

# --- the static tree: every page packyard serves, fetched once (one curl, keep-alive), same bytes ---
STATIC=$BENCH_WORK/static
PATHS=$BENCH_WORK/paths.txt
find "$UPSTREAM/simple" -mindepth 1 -maxdepth 1 -type d -printf 'simple/%f/\n' | sort | sed -n "1,${PAGES}p" >"$PATHS"
mkdir -p "$STATIC/simple"
while read -r p; do
    mkdir -p "$STATIC/$p"
    printf 'url = "%s/bench/pypi/%s"\noutput = "%s/%sindex.html"\n' "$PACKYARD_URL" "$p" "$STATIC" "$p"
done <"$PATHS" >"$BENCH_WORK/curl.cfg"
curl -fsS -K "$BENCH_WORK/curl.cfg" || die "fetching packyard's pages failed"
chmod -R a+rX "$STATIC"
PAGE_COUNT=$(wc -l <"$PATHS")
PAGE_BYTES=$(find "$STATIC/simple" -name index.html -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s / NR }')
NGINX_PORT=$(free_port)
bench_nginx static "$STATIC" "$NGINX_PORT"
NGINX_URL=http://127.0.0.1:$NGINX_PORT
NGINX_MASTER=${BENCH_PIDS[-1]}
FIRST=$(sed -n 1p "$PATHS")
cmp -s <(curl -fsS "$PACKYARD_URL/bench/pypi/$FIRST") <(curl -fsS "$NGINX_URL/$FIRST") || die "nginx and packyard serve $FIRST differently"
echo "response headers (packyard, then nginx) for $FIRST:" >"$BENCH_WORK/headers.txt"
curl -fsS -D - -o /dev/null "$PACKYARD_URL/bench/pypi/$FIRST" >>"$BENCH_WORK/headers.txt"
curl -fsS -D - -o /dev/null "$NGINX_URL/$FIRST" >>"$BENCH_WORK/headers.txt"

# wrk rotates over the pages: rotate.lua PATHS-FILE PREFIX
cat >"$BENCH_WORK/rotate.lua" <<'EOF'
local paths, i = {}, 0
function init(args)
    for line in io.lines(args[1]) do paths[#paths + 1] = args[2] .. line end
    i = math.random(#paths)
end
function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
EOF

nginx_cpu() { local t=0 p; for p in $NGINX_MASTER $(pgrep -P "$NGINX_MASTER"); do t=$(awk -v a="$t" -v b="$(proc_cpu "$p")" 'BEGIN { print a + b }'); done; echo "$t"; }
packyard_cpu() { proc_cpu "$PACKYARD_PID"; }
declare -A REQS XFER CPU LAT ERRS PGCPU
run_wrk() { # run_wrk KEY BASE-URL PREFIX CPU-FUNC [PATHS-FILE]
    local key=$1 url=$2 prefix=$3 paths=${5:-$PATHS} out cpu0 cpu1 pg0 pg1
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$BENCH_WORK/rotate.lua" "$url" -- "$paths" "$prefix" >/dev/null
    cpu0=$($4); pg0=$(postgres_cpu)
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$BENCH_WORK/rotate.lua" "$url" -- "$paths" "$prefix")
    cpu1=$($4); pg1=$(postgres_cpu)
    echo "$out" >"$BENCH_WORK/wrk-$key.txt"
    REQS[$key]=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    XFER[$key]=$(awk '/^Transfer\/sec:/ { print $2 }' <<<"$out")
    LAT[$key]=$(awk '$1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } END { print p50 " / " p99 }' <<<"$out")
    ERRS[$key]=$(awk '/Non-2xx|Socket errors/ { $1 = $1; printf "%s; ", $0 }' <<<"$out")
    CPU[$key]=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }')
    PGCPU[$key]=$(awk -v a="$pg0" -v b="$pg1" 'BEGIN { printf "%.1f", b - a }')
    log "$key: ${REQS[$key]} req/s, ${XFER[$key]}/s"
}
LOG_LINES_0=$(wc -l <"$PACKYARD_LOG")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
RUNS=${RUNS:-2}
for ((r = 1; r <= RUNS; r++)); do
    run_wrk "packyard-$r" "$PACKYARD_URL" /bench/pypi/ packyard_cpu
    run_wrk "nginx-$r" "$NGINX_URL" / nginx_cpu
done
LOG_LINES=$(($(wc -l <"$PACKYARD_LOG") - LOG_LINES_0))
# The floor: packyard's /healthz (a constant answer, no content lookup) shows what the HTTP stack alone costs.
echo healthz >"$BENCH_WORK/healthz.txt"
run_wrk packyard-healthz "$PACKYARD_URL" / packyard_cpu "$BENCH_WORK/healthz.txt"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
echo
echo "== packyard python page serving benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') =="
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after a $WARMUP warm-up) rotating over $PAGE_COUNT simple/<project>/ pages (HTML, mean $PAGE_BYTES bytes),"
echo "client and servers on 127.0.0.1; nginx 2 workers, sendfile on, access_log off, serving a copy of packyard's pages"
echo "load average before / after the wrk runs: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
echo
# CPU per request holds up better than req/s on a shared machine: a server starved of CPU serves less but spends the same per request.
us_per_req() { awk -v c="$1" -v r="$2" -v d="${DURATION%s}" 'BEGIN { printf "%.1f", c * 1e6 / (r * d) }'; }
row() { printf '| %-17s | %10s | %12s | %-19s | %12s | %13s | %9s |\n' "$1" "${REQS[$2]}" "${XFER[$2]}" "${LAT[$2]}" "${CPU[$2]}" "$(us_per_req "${CPU[$2]}" "${REQS[$2]}")" "${PGCPU[$2]}"; }
printf '| %-17s | %10s | %12s | %-19s | %12s | %13s | %9s |\n' server "req/s" "transfer/s" "latency p50 / p99" "server CPU s" "CPU us / req" "pg CPU s"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ------------------- -----------: -------------: --------------------- -------------: --------------: ----------:
for ((r = 1; r <= RUNS; r++)); do
    for s in packyard nginx; do row "$s-$r" "$s-$r"; done
done
row "packyard /healthz" packyard-healthz
echo
for ((r = 1; r <= RUNS; r++)); do
    echo "packyard/nginx req/s, run $r: $(ratio "${REQS[packyard-$r]}" "${REQS[nginx-$r]}")   (target >= 70%)"
done
for k in "${!ERRS[@]}"; do [[ -n ${ERRS[$k]} ]] && echo "errors, $k: ${ERRS[$k]}"; done
echo "packyard log lines written during the wrk runs: $LOG_LINES"
echo
sed 's/^/  /' "$BENCH_WORK/headers.txt"
