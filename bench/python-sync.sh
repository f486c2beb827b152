#!/usr/bin/env bash
# Benchmark: OnDemand sync of a whole PEP 503 index (no includes: the root simple/ lists every project) of
# PROJECTS projects x FILES_PER_PROJECT files from a local nginx upstream, then publish.
# Prints sync seconds (status.lastSync start -> completion), process start -> Ready, peak RSS, and checks a served page.
#   bash bench/python-sync.sh          (PROJECTS=5000 FILES_PER_PROJECT=10 BENCH_NO_BUILD=1 BENCH_KEEP=1 to tune)
# Targets (issue 4): OnDemand sync of 5,000 projects / 50,000 files in < 60 s and < 400 MB RSS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PROJECTS=${PROJECTS:-5000}
FILES_PER_PROJECT=${FILES_PER_PROJECT:-10}
CONCURRENCY=${CONCURRENCY:-16}
TIMEOUT=${TIMEOUT:-600}

bench_init
bench_build

# --- upstream: a static PEP 503 tree (cached). Names exercise PEP 503 normalisation (case, '.', '_', runs). ---
UPSTREAM=$BENCH_CACHE/python-index-$PROJECTS-$FILES_PER_PROJECT
if [[ ! -f $UPSTREAM/.complete ]]; then
    log "generating a simple index of $PROJECTS projects x $FILES_PER_PROJECT files into $UPSTREAM"
    rm -rf "$UPSTREAM"
    python3 "$(dirname "$0")/python-index.py" "$UPSTREAM" "$PROJECTS" "$FILES_PER_PROJECT"
fi
chmod -R a+rX "$BENCH_CACHE"
TOTAL_LINKS=$(find "$UPSTREAM/simple" -mindepth 2 -name index.html -exec cat {} + | grep -c '<a href="../../packages/')

NGINX_PORT=$(free_port)
bench_nginx upstream "$UPSTREAM" "$NGINX_PORT"
curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/simple/" || die "nginx does not serve the upstream"

bench_postgres
log "throwaway PostgreSQL 15 cluster on 127.0.0.1:$BENCH_PG_PORT"

MANIFESTS=$BENCH_WORK/manifests
mkdir -p "$MANIFESTS"
cat >"$MANIFESTS/bench.yaml" <<EOF
apiVersion: packyard.io/v1alpha1
kind: Remote
metadata:
  name: pypi-local
  namespace: default
spec:
  type: python
  url: http://127.0.0.1:$NGINX_PORT/simple/
  policy: OnDemand
  downloadConcurrency: $CONCURRENCY
  python:
    prereleases: true
---
apiVersion: packyard.io/v1alpha1
kind: Repository
metadata:
  name: pypi
  namespace: default
spec:
  type: python
  remoteRef:
    name: pypi-local
  sync:
    mode: Mirror
---
apiVersion: packyard.io/v1alpha1
kind: Distribution
metadata:
  name: pypi
  namespace: default
spec:
  basePath: bench/pypi
  repositoryRef:
    name: pypi
EOF

PORT=$(free_port)
RSS=$BENCH_WORK/rss.txt
T_START=$(now)
bench_packyard "$MANIFESTS" "$BENCH_WORK/data" "$PORT"
rss_sampler "$PACKYARD_PID" "$RSS" 0.2
log "packyard pid $PACKYARD_PID on $PACKYARD_URL, OnDemand sync of $PROJECTS projects / $TOTAL_LINKS files"
wait_port "$PORT" 60
READY=$READY_ONE_REPOSITORY_AND_DISTRIBUTION
wait_for "$READY" "$TIMEOUT" "the sync"
T_READY=$(now)
HWM=$(vm_field "$PACKYARD_PID" VmHWM)
CPU_PACKYARD=$(proc_cpu "$PACKYARD_PID")
CPU_PG=$(postgres_cpu)
S1=$(repo_status pypi)
SYNC_START=$(iso_to_epoch "$(jq -r .lastSync.startTime <<<"$S1")")
SYNC_END=$(iso_to_epoch "$(jq -r .lastSync.completionTime <<<"$S1")")
SYNC_S=$(elapsed "$SYNC_START" "$SYNC_END")
COUNT=$(jq -r .contentCount <<<"$S1")
[[ $COUNT == "$TOTAL_LINKS" ]] || log "WARNING: contentCount is $COUNT, expected $TOTAL_LINKS"

# served pages: the root lists every project; a project page in both formats
SERVED_PROJECTS=$(curl -fsS -H 'Accept: application/vnd.pypi.simple.v1+json' "$PACKYARD_URL/bench/pypi/simple/" | jq '.projects | length')
# (no early-exiting readers such as head or grep -q in pipes: with pipefail their SIGPIPE would end the script)
FIRST=$(find "$UPSTREAM/simple" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | sed -n 1p)
PAGE=$(curl -fsS "$PACKYARD_URL/bench/pypi/simple/$FIRST/")
[[ $PAGE == *'#sha256='* ]] || die "simple/$FIRST/ is not served"

echo
echo "== packyard python OnDemand sync benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') =="
echo "upstream: nginx on 127.0.0.1, static PEP 503 tree, $PROJECTS projects, $TOTAL_LINKS files; Remote OnDemand, no includes (root index), prereleases"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-38s %s\n' "files (contentCount)" "$COUNT"
printf '%-38s %s\n' "sync seconds (lastSync start->end)" "$SYNC_S   (target < 60)"
printf '%-38s %s\n' "process start -> Ready (incl. publish)" "$(elapsed "$T_START" "$T_READY") s"
printf '%-38s %s\n' "peak RSS MB (VmHWM)" "$(mb "$HWM")   (target < 400)"
printf '%-38s %s\n' "CPU s (packyard/pg)" "$CPU_PACKYARD / $CPU_PG"
printf '%-38s %s\n' "projects on the served root index" "$SERVED_PROJECTS"
echo
echo "| projects | files | sync s | start->Ready s | peak RSS MB |"
echo "|---:|---:|---:|---:|---:|"
echo "| $PROJECTS | $COUNT | $SYNC_S | $(elapsed "$T_START" "$T_READY") | $(mb "$HWM") |"
