#!/usr/bin/env bash
# Benchmark: serving synced files. Syncs a small file repository (4 KiB, 1 MiB and 2 GiB files) from a local nginx,
# then runs wrk against packyard and against nginx serving the same files from disk (sendfile on, access_log off,
# 2 workers), side by side, and streams the 2 GiB file through packyard once while sampling its RSS every 200 ms.
#   bash bench/file-serve.sh           (DURATION=10s THREADS=2 CONNECTIONS=32 BENCH_NO_BUILD=1 BENCH_KEEP=1 to tune)
# Targets: packyard >= 70% of nginx req/s; RSS flat while streaming 2 GiB.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
BIG_SIZE=${BIG_SIZE:-2G}
WARMUP=${WARMUP:-15s} # the tiered JIT is still compiling hot paths 20 s into a load: 3 s measured a process half-warm

bench_init
bench_build

# --- the files (cached): 4 KiB and 1 MiB random; BIG_SIZE sparse with a 1 MiB random head ---
FILES_DIR=$BENCH_CACHE/serve-$BIG_SIZE
if [[ ! -f $FILES_DIR/.complete ]]; then
    log "generating files into $FILES_DIR (hashing the $BIG_SIZE file takes a few seconds)"
    rm -rf "$FILES_DIR" && mkdir -p "$FILES_DIR"
    head -c 4096 /dev/urandom >"$FILES_DIR/small.bin"
    head -c 1048576 /dev/urandom >"$FILES_DIR/medium.bin"
    truncate -s "$BIG_SIZE" "$FILES_DIR/big.bin"
    head -c 1048576 /dev/urandom | dd of="$FILES_DIR/big.bin" conv=notrunc status=none
    (cd "$FILES_DIR" && for f in small.bin medium.bin big.bin; do
        echo "$f,$(sha256sum "$f" | cut -d' ' -f1),$(stat -c %s "$f")"
    done >PULP_MANIFEST)
    touch "$FILES_DIR/.complete"
fi
chmod -R a+rX "$BENCH_CACHE"
BIG_BYTES=$(stat -c %s "$FILES_DIR/big.bin")

NGINX_PORT=$(free_port)
bench_nginx files "$FILES_DIR" "$NGINX_PORT"
NGINX_URL=http://127.0.0.1:$NGINX_PORT
NGINX_MASTER=${BENCH_PIDS[-1]}

bench_postgres
MANIFESTS=$BENCH_WORK/manifests
mkdir -p "$MANIFESTS"
cat >"$MANIFESTS/bench.yaml" <<EOF
apiVersion: packyard.io/v1alpha1
kind: Remote
metadata: { name: serve-upstream, namespace: default }
spec:
  type: file
  url: $NGINX_URL/
  policy: Immediate
  file: { manifest: PULP_MANIFEST }
---
apiVersion: packyard.io/v1alpha1
kind: Repository
metadata: { name: serve, namespace: default }
spec:
  type: file
  remoteRef: { name: serve-upstream }
  sync: { mode: Mirror }
---
apiVersion: packyard.io/v1alpha1
kind: Distribution
metadata: { name: serve, namespace: default }
spec:
  basePath: bench/serve
  repositoryRef: { name: serve }
EOF

PORT=$(free_port)
T0=$(now)
bench_packyard "$MANIFESTS" "$BENCH_WORK/data" "$PORT"
log "packyard pid $PACKYARD_PID on $PACKYARD_URL, syncing 3 files ($BIG_SIZE included)"
wait_port "$PORT" 60
wait_for "$READY_ONE_REPOSITORY_AND_DISTRIBUTION" 300 "the sync"
SYNC_S=$(elapsed "$T0" "$(now)")
PY_BASE=$PACKYARD_URL/bench/serve
for f in small.bin medium.bin; do
    cmp -s <(curl -fsS "$PY_BASE/$f") "$FILES_DIR/$f" || die "packyard serves $f wrong"
done
log "synced and Ready in $SYNC_S s"
echo "response headers (packyard, then nginx) for medium.bin:" >"$BENCH_WORK/headers.txt"
curl -fsS -D - -o /dev/null "$PY_BASE/medium.bin" >>"$BENCH_WORK/headers.txt"
curl -fsS -D - -o /dev/null "$NGINX_URL/medium.bin" >>"$BENCH_WORK/headers.txt"

# --- wrk, packyard and nginx alternately ---
nginx_cpu() { local t=0 p; for p in $NGINX_MASTER $(pgrep -P "$NGINX_MASTER"); do t=$(awk -v a="$t" -v b="$(proc_cpu "$p")" 'BEGIN { print a + b }'); done; echo "$t"; }
declare -A REQS XFER CPU LAT ERRS PGCPU
run_wrk() { # run_wrk KEY URL PID-CPU-FUNC
    local key=$1 url=$2 out cpu0 cpu1 pg0 pg1
    curl -fsS -o /dev/null "$url" || die "$url fails"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null # warm-up (JIT tiering, caches), not counted
    cpu0=$($3); pg0=$(postgres_cpu)
    thread_ticks "$PACKYARD_PID" >"$BENCH_WORK/threads-before"
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
    thread_ticks "$PACKYARD_PID" >"$BENCH_WORK/threads-after"
    [[ $key == packyard-* ]] && thread_delta "$BENCH_WORK/threads-before" "$BENCH_WORK/threads-after" | head -6 | tr '\n' ';' >"$BENCH_WORK/threads-$key.txt"
    cpu1=$($3); pg1=$(postgres_cpu)
    PGCPU[$key]=$(awk -v a="$pg0" -v b="$pg1" 'BEGIN { printf "%.1f", b - a }')
    echo "$out" >"$BENCH_WORK/wrk-$key.txt"
    REQS[$key]=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    XFER[$key]=$(awk '/^Transfer\/sec:/ { print $2 }' <<<"$out")
    LAT[$key]=$(awk '$1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } END { print p50 " / " p99 }' <<<"$out")
    ERRS[$key]=$(awk '/Non-2xx|Socket errors/ { $1 = $1; printf "%s; ", $0 }' <<<"$out")
    CPU[$key]=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }')
    log "$key: ${REQS[$key]} req/s, ${XFER[$key]}/s"
}
packyard_cpu() { proc_cpu "$PACKYARD_PID"; }
LOG_LINES_0=$(wc -l <"$PACKYARD_LOG")
for f in small medium; do
    run_wrk "packyard-$f" "$PY_BASE/$f.bin" packyard_cpu
    run_wrk "nginx-$f" "$NGINX_URL/$f.bin" nginx_cpu
done
LOG_LINES=$(($(wc -l <"$PACKYARD_LOG") - LOG_LINES_0))

# --- stream the big file once through packyard, sampling VmRSS every 200 ms ---
sleep 1
RSS_BEFORE=$(vm_field "$PACKYARD_PID" VmRSS)
HWM_BEFORE=$(vm_field "$PACKYARD_PID" VmHWM)
RSS=$BENCH_WORK/rss-stream.txt
: >"$RSS"
rss_sampler "$PACKYARD_PID" "$RSS" 0.2
SAMPLER=${BENCH_PIDS[-1]}
CPU0=$(proc_cpu "$PACKYARD_PID")
read -r PY_SPEED PY_TIME PY_SIZE < <(curl -fsS -o /dev/null -w '%{speed_download} %{time_total} %{size_download}\n' "$PY_BASE/big.bin")
CPU1=$(proc_cpu "$PACKYARD_PID")
sleep 0.4
kill "$SAMPLER" 2>/dev/null || true
RSS_AFTER=$(vm_field "$PACKYARD_PID" VmRSS)
HWM_AFTER=$(vm_field "$PACKYARD_PID" VmHWM)
RSS_PEAK=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$RSS")
RSS_SAMPLES=$(wc -l <"$RSS")
[[ $PY_SIZE == "$BIG_BYTES" ]] || log "WARNING: packyard sent $PY_SIZE bytes of $BIG_BYTES"
read -r NG_SPEED NG_TIME < <(curl -fsS -o /dev/null -w '%{speed_download} %{time_total}\n' "$NGINX_URL/big.bin")

# --- report ---
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
mibs() { awk -v b="$1" 'BEGIN { printf "%.0f MiB/s", b / 1048576 }'; }
echo
echo "== packyard file serving benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') =="
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after a $WARMUP warm-up), client and servers on the same machine (127.0.0.1); nginx 2 workers, sendfile on, access_log off"
echo "packyard: Release build, filesystem artifact store, throwaway PostgreSQL 15 cluster; sync of the 3 files took $SYNC_S s (process start -> Ready)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '| %-8s | %-8s | %10s | %12s | %-19s | %12s | %9s |\n' file server "req/s" "transfer/s" "latency p50 / p99" "server CPU s" "pg CPU s"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ---------- ---------- -----------: -------------: --------------------- -------------: ----------:
for f in small medium; do
    for s in packyard nginx; do
        k=$s-$f
        printf '| %-8s | %-8s | %10s | %12s | %-19s | %12s | %9s |\n' "$f" "$s" "${REQS[$k]}" "${XFER[$k]}" "${LAT[$k]}" "${CPU[$k]}" "${PGCPU[$k]}"
    done
done
echo
for f in small medium; do
    printf '%-36s %s\n' "packyard/nginx req/s, $f ($( [[ $f == small ]] && echo 4 KiB || echo 1 MiB ))" \
        "$(ratio "${REQS[packyard-$f]}" "${REQS[nginx-$f]}")   (target >= 70%)"
done
for k in "${!ERRS[@]}"; do [[ -n ${ERRS[$k]} ]] && echo "errors, $k: ${ERRS[$k]}"; done
echo "packyard log lines written during the wrk runs: $LOG_LINES"
for f in small medium; do
    echo "packyard CPU s by thread during the $f run: $(sed 's/;/ s; /g' "$BENCH_WORK/threads-packyard-$f.txt")"
done
echo
echo "streaming $BIG_SIZE ($BIG_BYTES bytes) once with curl -o /dev/null:"
printf '  %-30s %s\n' "packyard throughput" "$(mibs "$PY_SPEED") ($PY_TIME s, packyard CPU $(awk -v a="$CPU0" -v b="$CPU1" 'BEGIN { printf "%.1f", b - a }') s)"
printf '  %-30s %s\n' "nginx throughput (same file)" "$(mibs "$NG_SPEED") ($NG_TIME s)"
printf '  %-30s %s\n' "packyard VmRSS before" "$(mb "$RSS_BEFORE") MB"
printf '  %-30s %s\n' "packyard VmRSS peak during" "$(mb "$RSS_PEAK") MB ($RSS_SAMPLES samples, every 200 ms); growth $(awk -v a="$RSS_PEAK" -v b="$RSS_BEFORE" 'BEGIN { printf "%+.0f", (a - b) / 1024 }') MB"
printf '  %-30s %s\n' "packyard VmRSS after" "$(mb "$RSS_AFTER") MB"
printf '  %-30s %s\n' "packyard VmHWM before / after" "$(mb "$HWM_BEFORE") / $(mb "$HWM_AFTER") MB"
echo
sed 's/^/  /' "$BENCH_WORK/headers.txt"
