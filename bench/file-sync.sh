#!/usr/bin/env bash
# Benchmark: Immediate sync of a file repository of many small files from a local nginx upstream.
# Prints sync seconds (status.lastSync start -> completion), files/s, process wall time until Ready,
# peak RSS of the packyard process, and a no-change re-sync (packyard.io/requested-at bump).
#   bash bench/file-sync.sh            (FILES=10000 CONCURRENCY=16 BENCH_NO_BUILD=1 BENCH_KEEP=1 to tune)
# Targets: >= 1,000 files/s, < 300 MB RSS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FILES=${FILES:-10000}
CONCURRENCY=${CONCURRENCY:-16}
TIMEOUT=${TIMEOUT:-240}

bench_init
bench_build

# --- upstream: FILES random files of 1-4 KiB in 10 subdirectories, with a PULP_MANIFEST (cached) ---
UPSTREAM=$BENCH_CACHE/upstream-$FILES
if [[ ! -f $UPSTREAM/.complete ]]; then
    log "generating $FILES files into $UPSTREAM"
    rm -rf "$UPSTREAM"
    python3 - "$UPSTREAM" "$FILES" <<'EOF'
import hashlib, os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(20240601)
lines = []
for i in range(count):
    rel = f"dir{i % 10:02d}/sub{(i // 10) % 4}/file-{i:05d}.bin"
    data = os.urandom(rng.randint(1024, 4096))
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    lines.append(f"{rel},{hashlib.sha256(data).hexdigest()},{len(data)}\n")
with open(os.path.join(root, "PULP_MANIFEST"), "w") as f:
    f.writelines(lines)
open(os.path.join(root, ".complete"), "w").close()
EOF
fi
chmod -R a+rX "$BENCH_CACHE"
UPSTREAM_BYTES=$(awk -F, '{ s += $3 } END { print s }' "$UPSTREAM/PULP_MANIFEST")

NGINX_PORT=$(free_port)
bench_nginx upstream "$UPSTREAM" "$NGINX_PORT"
curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/PULP_MANIFEST" || die "nginx does not serve the upstream"

bench_postgres
log "throwaway PostgreSQL 15 cluster on 127.0.0.1:$BENCH_PG_PORT ($BENCH_PG_DURABILITY)"

# --- manifests ---
MANIFESTS=$BENCH_WORK/manifests
mkdir -p "$MANIFESTS"
write_manifests() { # write_manifests REQUESTED_AT
    cat >"$MANIFESTS/bench.yaml" <<EOF
apiVersion: packyard.io/v1alpha1
kind: Remote
metadata:
  name: bench-upstream
  namespace: default
spec:
  type: file
  url: http://127.0.0.1:$NGINX_PORT/
  policy: Immediate
  downloadConcurrency: $CONCURRENCY
  file:
    manifest: PULP_MANIFEST
---
apiVersion: packyard.io/v1alpha1
kind: Repository
metadata:
  name: bench
  namespace: default
  annotations:
    packyard.io/requested-at: "$1"
spec:
  type: file
  remoteRef:
    name: bench-upstream
  sync:
    mode: Mirror
  retainVersions: 10
---
apiVersion: packyard.io/v1alpha1
kind: Distribution
metadata:
  name: bench
  namespace: default
spec:
  basePath: bench/files
  repositoryRef:
    name: bench
EOF
}
write_manifests initial

# --- first sync ---
PORT=$(free_port)
RSS=$BENCH_WORK/rss.txt
T_START=$(now)
bench_packyard "$MANIFESTS" "$BENCH_WORK/data" "$PORT"
rss_sampler "$PACKYARD_PID" "$RSS" 0.2
log "packyard pid $PACKYARD_PID on $PACKYARD_URL, syncing $FILES files (downloadConcurrency $CONCURRENCY)"
wait_port "$PORT" 60
T_LISTEN=$(now)
READY=$READY_ONE_REPOSITORY_AND_DISTRIBUTION
wait_for "$READY" "$TIMEOUT" "the first sync"
T_READY=$(now)
CPU_PACKYARD_1=$(proc_cpu "$PACKYARD_PID")
CPU_PG_1=$(postgres_cpu)
HWM_1=$(vm_field "$PACKYARD_PID" VmHWM)

S1=$(repo_status bench)
SYNC_START=$(iso_to_epoch "$(jq -r .lastSync.startTime <<<"$S1")")
SYNC_END=$(iso_to_epoch "$(jq -r .lastSync.completionTime <<<"$S1")")
SYNC_S=$(elapsed "$SYNC_START" "$SYNC_END")
VERSION_1=$(jq -r .latestVersion <<<"$S1")
COUNT_1=$(jq -r .contentCount <<<"$S1")
ADDED_1=$(jq -r .lastSync.added <<<"$S1")
FILES_PER_S=$(awk -v n="$FILES" -v s="$SYNC_S" 'BEGIN { printf "%.0f", n / s }')
MB_PER_S=$(awk -v b="$UPSTREAM_BYTES" -v s="$SYNC_S" 'BEGIN { printf "%.1f", b / 1048576 / s }')
PEAK_SYNC_KB=$(max_rss_between "$RSS" "$SYNC_START" "$SYNC_END")
[[ $COUNT_1 == "$FILES" ]] || log "WARNING: contentCount is $COUNT_1, expected $FILES"

# spot-check served content against the upstream
for rel in PULP_MANIFEST dir00/sub0/file-00000.bin "$(sed -n '$p' "$UPSTREAM/PULP_MANIFEST" | cut -d, -f1)"; do
    [[ $rel == PULP_MANIFEST ]] && { curl -fsS -o /dev/null "$PACKYARD_URL/bench/files/$rel" || die "PULP_MANIFEST not served"; continue; }
    cmp -s <(curl -fsS "$PACKYARD_URL/bench/files/$rel") "$UPSTREAM/$rel" || die "served $rel differs from the upstream"
done

PG_TOP_1=$(pg_top_statements 8)

# --- no-change re-sync: bump packyard.io/requested-at ---
sleep 1
pg_reset_statements
REQ="bench-$(date +%s%N)"
T_REQ=$(now)
write_manifests "$REQ"
wait_for "[.[] | select(.kind == \"Repository\" and .name == \"bench\") | .status.lastHandledRequest == \"$REQ\" and .status.lastSync.result == \"Succeeded\"] == [true]" "$TIMEOUT" "the re-sync"
T_REQ_DONE=$(now)
S2=$(repo_status bench)
RESYNC_START=$(iso_to_epoch "$(jq -r .lastSync.startTime <<<"$S2")")
RESYNC_END=$(iso_to_epoch "$(jq -r .lastSync.completionTime <<<"$S2")")
RESYNC_S=$(elapsed "$RESYNC_START" "$RESYNC_END")
RESYNC_WALL=$(elapsed "$T_REQ" "$T_REQ_DONE")
VERSION_2=$(jq -r .latestVersion <<<"$S2")
(($(awk -v a="$RESYNC_START" -v b="$SYNC_START" 'BEGIN { print (a > b) }'))) || log "WARNING: lastSync.startTime did not move: no re-sync ran?"
[[ $VERSION_1 == "$VERSION_2" ]] && UNCHANGED=yes || UNCHANGED="NO ($VERSION_1 -> $VERSION_2)"
sleep 0.5
HWM=$(vm_field "$PACKYARD_PID" VmHWM)
RSS_END=$(vm_field "$PACKYARD_PID" VmRSS)
CPU_PACKYARD=$(proc_cpu "$PACKYARD_PID")
CPU_PG=$(postgres_cpu)
PG_TOP_2=$(pg_top_statements 8)

# --- report ---
echo
echo "== packyard file sync benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') =="
echo "upstream: nginx on 127.0.0.1, $FILES files (1-4 KiB random, $(awk -v b="$UPSTREAM_BYTES" 'BEGIN { printf "%.1f", b / 1048576 }') MiB); Remote policy Immediate, downloadConcurrency $CONCURRENCY; Repository Mirror"
echo "database: throwaway PostgreSQL 15 cluster started by this script ($BENCH_PG_DURABILITY)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews results)"
echo "storage:  filesystem, $BENCH_WORK/data/artifacts"
echo
printf '%-34s %s\n' "files" "$FILES (contentCount $COUNT_1, added $ADDED_1, version $VERSION_1)"
printf '%-34s %s\n' "sync seconds (lastSync start->end)" "$SYNC_S"
printf '%-34s %s\n' "files/s" "$FILES_PER_S   (target >= 1000)  [$MB_PER_S MiB/s]"
printf '%-34s %s\n' "process start -> listening" "$(elapsed "$T_START" "$T_LISTEN") s"
printf '%-34s %s\n' "process start -> Ready" "$(elapsed "$T_START" "$T_READY") s"
printf '%-34s %s\n' "peak RSS during sync (sampled)" "$(mb "$PEAK_SYNC_KB") MB"
printf '%-34s %s\n' "peak RSS MB (VmHWM)" "$(mb "$HWM") MB   (target < 300; after first sync: $(mb "$HWM_1") MB; now $(mb "$RSS_END") MB)"
printf '%-34s %s\n' "CPU s, first sync (packyard/pg)" "$CPU_PACKYARD_1 / $CPU_PG_1   (process start -> Ready)"
printf '%-34s %s\n' "no-change re-sync seconds" "$RESYNC_S (lastSync start->end); $RESYNC_WALL s from manifest write to lastHandledRequest echo"
printf '%-34s %s\n' "latestVersion unchanged" "$UNCHANGED (version $VERSION_2, added $(jq -r .lastSync.added <<<"$S2"), removed $(jq -r .lastSync.removed <<<"$S2"))"
printf '%-34s %s\n' "CPU s, total (packyard/pg)" "$CPU_PACKYARD / $CPU_PG"
echo
echo "| files | sync s | files/s | peak RSS MB | no-change re-sync s |"
echo "|------:|-------:|--------:|------------:|--------------------:|"
echo "| $FILES | $SYNC_S | $FILES_PER_S | $(mb "$HWM") | $RESYNC_S |"
echo
echo "phases (from packyard's log lines, 1 s resolution):"
sed 's/\x1b\[[0-9;]*m//g' "$PACKYARD_LOG" | awk '
    /Sync of default\/bench .* started/ { print "  " $1 "  sync started"; last = "" }
    $2 == "Repository" && $3 == "default/bench" && $4 ~ /^(Reading|Downloading|Creating|Publishing)$/ {
        phase = ($4 == "Reading" || $4 == "Creating") ? $4 " " $5 : $4
        if (phase != last) { print "  " $1 "  " phase; last = phase } }
    /Sync of default\/bench finished/ { t = $1; sub(/.*finished: /, ""); print "  " t "  finished: " $0; last = "" }
    /PublicationService/ && /published/ { print "  " $1 "  published" }'
if [[ -n ${PG_STATS:-} ]]; then
    echo
    echo "first sync, $PG_TOP_1"
    echo
    echo "no-change re-sync, $PG_TOP_2"
    echo
    echo "statements over 1 s (auto_explain, EXPLAIN ANALYZE):"
    pg_slow_plans
fi
