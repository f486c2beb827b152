#!/usr/bin/env bash
# Benchmark: pull-through of a ~300 MB, 10-layer OCI image (layers of random bytes, built once with umoci and cached) from an
# upstream docker-registry, by 4 concurrent `skopeo copy` clients, cold (nothing stored) and warm (everything stored), through
# Packyard (a Distribution with spec.pullThrough to a container Remote without upstreamName, OnDemand) and through Debian's
# docker-registry configured as a pull-through cache (proxy.remoteurl) of the same upstream, in one run, alternately.
# Prints the throughput of both (MB/s of image bytes delivered to all clients), the ratio, and Packyard's RSS sampled every 0.2 s
# while it streams.
#   bash bench/container-pullthrough.sh        (LAYERS=10 LAYER_MB=30 CLIENTS=4 BENCH_NO_BUILD=1 BENCH_KEEP=1)
# Target (issue 14): Packyard >= 90% of the reference registry's throughput, RSS flat while streaming.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

LAYERS=${LAYERS:-10}
LAYER_MB=${LAYER_MB:-30}
CLIENTS=${CLIENTS:-4}
TIMEOUT=${TIMEOUT:-300}
IMAGE=bench/big
TAG=1.0

bench_init
bench_install skopeo umoci docker-registry
bench_build

# --- the image, built once: LAYERS layers of LAYER_MB MB of random bytes (incompressible) ---
LAYOUT=$BENCH_CACHE/container-$LAYERS-x-${LAYER_MB}mb
if [[ ! -f $LAYOUT/.complete ]]; then
    log "building a $LAYERS-layer image of $((LAYERS * LAYER_MB)) MB into $LAYOUT"
    rm -rf "$LAYOUT" "$BENCH_WORK/bundle"
    umoci init --layout "$LAYOUT/oci"
    umoci new --image "$LAYOUT/oci:$TAG"
    umoci unpack --rootless --image "$LAYOUT/oci:$TAG" "$BENCH_WORK/bundle" >/dev/null
    for ((i = 1; i <= LAYERS; i++)); do
        head -c "$((LAYER_MB << 20))" /dev/urandom >"$BENCH_WORK/bundle/rootfs/layer-$i.bin"
        umoci repack --refresh-bundle --image "$LAYOUT/oci:$TAG" "$BENCH_WORK/bundle" >/dev/null
    done
    rm -rf "$BENCH_WORK/bundle"
    touch "$LAYOUT/.complete"
fi
IMAGE_BYTES=$(du -sb "$LAYOUT/oci/blobs" | cut -f1)

# docker-registry NAME PORT [PROXY-REMOTE-URL]
registry() {
    local name=$1 port=$2 remote=${3:-} dir=$BENCH_WORK/registry-$1
    mkdir -p "$dir/storage"
    cat >"$dir/config.yml" <<EOF
version: 0.1
log: { level: warn, accesslog: { disabled: true } }
storage:
  filesystem: { rootdirectory: $dir/storage }
  cache: { blobdescriptor: inmemory }
  maintenance: { uploadpurging: { enabled: false } }
http: { addr: 127.0.0.1:$port, secret: bench-$name }
EOF
    [[ -n $remote ]] && printf 'proxy:\n  remoteurl: %s\n' "$remote" >>"$dir/config.yml"
    docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
    BENCH_PIDS+=($!)
    wait_port "$port" 20
}

UPSTREAM_PORT=$(free_port)
registry upstream "$UPSTREAM_PORT"
log "pushing the image to the upstream registry"
skopeo copy --quiet --dest-tls-verify=false "oci:$LAYOUT/oci:$TAG" "docker://127.0.0.1:$UPSTREAM_PORT/$IMAGE:$TAG"
CACHE_PORT=$(free_port)
registry cache "$CACHE_PORT" "http://127.0.0.1:$UPSTREAM_PORT"
CACHE_PID=${BENCH_PIDS[-1]}

bench_postgres
MANIFESTS=$BENCH_WORK/manifests
mkdir -p "$MANIFESTS"
cat >"$MANIFESTS/bench.yaml" <<EOF
apiVersion: packyard.io/v1alpha1
kind: Remote
metadata: { name: upstream, namespace: default }
spec:
  type: container
  url: http://127.0.0.1:$UPSTREAM_PORT
  policy: OnDemand
---
apiVersion: packyard.io/v1alpha1
kind: Repository
metadata: { name: hub, namespace: default }
spec:
  type: container
---
apiVersion: packyard.io/v1alpha1
kind: Distribution
metadata: { name: hub, namespace: default }
spec:
  basePath: hub
  repositoryRef: { name: hub }
  pullThrough: { remoteRef: { name: upstream } }
EOF
PORT=$(free_port)
bench_packyard "$MANIFESTS" "$BENCH_WORK/data" "$PORT"
wait_port "$PORT" 60
wait_for '[.[] | select(.kind == "Distribution") | [.status.conditions // [] | any(.type == "Ready" and .status == "True")] | any] == [true]' "$TIMEOUT" "the Distribution"
RSS=$BENCH_WORK/rss.txt
rss_sampler "$PACKYARD_PID" "$RSS" 0.2

declare -A MBS SECS
# pull KEY REFERENCE-BASE: CLIENTS concurrent skopeo copies into dir: layouts, timed from the first start to the last end
pull() {
    local key=$1 base=$2 i pids=() t0 t1 out=$BENCH_WORK/pulled
    rm -rf "$out" && mkdir -p "$out"
    sync
    t0=$(now)
    for ((i = 1; i <= CLIENTS; i++)); do
        skopeo copy --quiet --retry-times 0 --src-tls-verify=false "docker://$base/$IMAGE:$TAG" "dir:$out/$i" &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || die "$key: a skopeo copy failed"; done
    t1=$(now)
    SECS[$key]=$(elapsed "$t0" "$t1")
    MBS[$key]=$(awk -v b="$IMAGE_BYTES" -v n="$CLIENTS" -v s="${SECS[$key]}" 'BEGIN { printf "%.0f", b * n / s / 1048576 }')
    STARTED[$key]=$t0 ENDED[$key]=$t1
    for ((i = 1; i <= CLIENTS; i++)); do
        cmp -s "$out/$i/manifest.json" "$out/1/manifest.json" || die "$key: client $i got another manifest"
    done
    log "$key: $CLIENTS x $((IMAGE_BYTES >> 20)) MB in ${SECS[$key]} s = ${MBS[$key]} MB/s"
}
declare -A STARTED ENDED
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
RSS_IDLE=$(vm_field "$PACKYARD_PID" VmRSS)
pull packyard-cold "127.0.0.1:$PORT/hub"
pull registry-cold "127.0.0.1:$CACHE_PORT"
pull packyard-warm "127.0.0.1:$PORT/hub"
pull registry-warm "127.0.0.1:$CACHE_PORT"
pull packyard-warm2 "127.0.0.1:$PORT/hub"
pull registry-warm2 "127.0.0.1:$CACHE_PORT"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
rm -rf "$BENCH_WORK/pulled"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
rss_range() { # KEY -> "min-max MB (n samples)"
    awk -v a="${STARTED[$1]}" -v b="${ENDED[$1]}" '$1 >= a && $1 <= b { if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2; n++ }
        END { printf "%.0f-%.0f MB (%d samples)", min / 1024, max / 1024, n }' "$RSS"
}
echo
echo "== packyard container pull-through benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') =="
echo "$CLIENTS concurrent 'skopeo copy docker://… dir:…' of one $LAYERS-layer image ($((IMAGE_BYTES >> 20)) MB of blobs, random bytes) from an upstream"
echo "docker-registry on 127.0.0.1, through packyard (pull-through Distribution, OnDemand Remote, filesystem store, PostgreSQL"
echo "$BENCH_PG_DURABILITY) and through docker-registry $(dpkg-query -W -f='${Version}' docker-registry 2>/dev/null || echo '?') as a pull-through cache (proxy.remoteurl)."
echo "Throughput = image bytes delivered to all clients / wall time from the first client's start to the last one's end."
echo "load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
printf '%-8s %-22s %-22s %-7s %s\n' run packyard registry ratio "packyard RSS while pulling (idle before: $(mb "$RSS_IDLE") MB)"
for run in cold warm warm2; do
    printf '%-8s %-22s %-22s %-7s %s\n' "$run" "${MBS[packyard-$run]} MB/s (${SECS[packyard-$run]} s)" "${MBS[registry-$run]} MB/s (${SECS[registry-$run]} s)" \
        "$(ratio "${MBS[packyard-$run]}" "${MBS[registry-$run]}")" "$(rss_range "packyard-$run")"
done
echo "packyard peak RSS (VmHWM): $(mb "$(vm_field "$PACKYARD_PID" VmHWM)") MB"
