#!/usr/bin/env bash
# Benchmark: OnDemand sync of a container repository of TAGS generated tags (each its own image manifest: a config, a shared
# base layer and a layer of its own) from Debian's docker-registry (the reference registry), whose storage this script writes
# directly (distribution's layout: blobs, layer, revision and tag links), as the tests' thousand-tag fixture does.
# Prints sync seconds (status.lastSync start -> completion), peak RSS of the packyard process, status.contentCounts, and an
# unchanged re-sync (packyard.io/requested-at bump): its seconds and that it created no version.
#   bash bench/container-sync.sh            (TAGS=1000 CONCURRENCY=16 BENCH_NO_BUILD=1 BENCH_KEEP=1 to tune)
# Targets: sync < 30 s, < 300 MB RSS; unchanged re-sync < 5 s and no version.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

TAGS=${TAGS:-1000}
CONCURRENCY=${CONCURRENCY:-16}
TIMEOUT=${TIMEOUT:-240}
NAME=bench/app

bench_init
bench_install docker-registry
command -v docker-registry >/dev/null || die "docker-registry (Debian's reference registry) is not installed"
bench_build

# --- upstream: the registry's filesystem storage with TAGS images, written directly (cached) ---
STORAGE=$BENCH_CACHE/registry-$TAGS
if [[ ! -f $STORAGE/.complete ]]; then
    log "writing $TAGS images into $STORAGE"
    rm -rf "$STORAGE"
    python3 - "$STORAGE" "$TAGS" "$NAME" <<'EOF'
import hashlib, json, os, random, sys
root, count, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
v2 = os.path.join(root, "docker", "registry", "v2")
repo = os.path.join(v2, "repositories", name)
rng = random.Random(20261206)

def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

def blob(data, link_kind):
    hexd = hashlib.sha256(data).hexdigest()
    write(os.path.join(v2, "blobs", "sha256", hexd[:2], hexd, "data"), data)
    write(os.path.join(repo, link_kind, "sha256", hexd, "link"), f"sha256:{hexd}".encode())
    return f"sha256:{hexd}", len(data)

base = blob(rng.randbytes(4096), "_layers")
for i in range(count):
    config = blob(json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}, "n": i}).encode(), "_layers")
    own = blob(rng.randbytes(512 + rng.randrange(1024)), "_layers")
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config[0], "size": config[1]},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": s} for d, s in (base, own)],
    }, separators=(",", ":")).encode()
    digest, _ = blob(manifest, "_manifests/revisions")
    tag = f"1.{i // 100}.{i % 100}"
    write(os.path.join(repo, "_manifests", "tags", tag, "current", "link"), digest.encode())
    write(os.path.join(repo, "_manifests", "tags", tag, "index", "sha256", digest[7:], "link"), digest.encode())
open(os.path.join(root, ".complete"), "w").close()
EOF
fi

REGISTRY_PORT=$(free_port)
cat >"$BENCH_WORK/registry.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $STORAGE}
  cache: {blobdescriptor: inmemory}
  maintenance: {uploadpurging: {enabled: false}}
http: {addr: 127.0.0.1:$REGISTRY_PORT, secret: bench}
EOF
docker-registry serve "$BENCH_WORK/registry.yml" >"$BENCH_WORK/registry.log" 2>&1 &
BENCH_PIDS+=($!)
wait_port "$REGISTRY_PORT" 20
LISTED=$(curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/$NAME/tags/list?n=100000" | jq '.tags | length')
[[ $LISTED == "$TAGS" ]] || die "the registry lists $LISTED tags, expected $TAGS (see $BENCH_WORK/registry.log)"

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
  name: bench-registry
  namespace: default
spec:
  type: container
  url: http://127.0.0.1:$REGISTRY_PORT/
  policy: OnDemand
  downloadConcurrency: $CONCURRENCY
  container:
    upstreamName: $NAME
---
apiVersion: packyard.io/v1alpha1
kind: Repository
metadata:
  name: bench
  namespace: default
  annotations:
    packyard.io/requested-at: "$1"
spec:
  type: container
  remoteRef:
    name: bench-registry
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
  basePath: bench/app
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
log "packyard pid $PACKYARD_PID on $PACKYARD_URL, syncing $TAGS tags OnDemand (downloadConcurrency $CONCURRENCY)"
wait_port "$PORT" 60
wait_for "$READY_ONE_REPOSITORY_AND_DISTRIBUTION" "$TIMEOUT" "the first sync"
T_READY=$(now)
CPU_PACKYARD_1=$(proc_cpu "$PACKYARD_PID")
HWM_1=$(vm_field "$PACKYARD_PID" VmHWM)

S1=$(repo_status bench)
SYNC_START=$(iso_to_epoch "$(jq -r .lastSync.startTime <<<"$S1")")
SYNC_END=$(iso_to_epoch "$(jq -r .lastSync.completionTime <<<"$S1")")
SYNC_S=$(elapsed "$SYNC_START" "$SYNC_END")
VERSION_1=$(jq -r .latestVersion <<<"$S1")
COUNT_1=$(jq -r .contentCount <<<"$S1")
COUNTS_1=$(jq -c '.contentCounts // {}' <<<"$S1")
PEAK_SYNC_KB=$(max_rss_between "$RSS" "$SYNC_START" "$SYNC_END")

# served: every tag listed, a manifest by tag, a blob fetched on demand from the registry
SERVED_TAGS=$(curl -fsS "$PACKYARD_URL/v2/bench/app/tags/list" | jq '.tags | length')
[[ $SERVED_TAGS == "$TAGS" ]] || die "Packyard lists $SERVED_TAGS tags, expected $TAGS"
LAST_TAG=1.$(((TAGS - 1) / 100)).$(((TAGS - 1) % 100))
cmp -s <(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$PACKYARD_URL/v2/bench/app/manifests/$LAST_TAG") \
    <(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$REGISTRY_PORT/v2/$NAME/manifests/$LAST_TAG") \
    || die "manifest $LAST_TAG differs from the registry's"
LAYER=$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$PACKYARD_URL/v2/bench/app/manifests/$LAST_TAG" | jq -r '.layers[1].digest')
cmp -s <(curl -fsSL "$PACKYARD_URL/v2/bench/app/blobs/$LAYER") <(curl -fsSL "http://127.0.0.1:$REGISTRY_PORT/v2/$NAME/blobs/$LAYER") \
    || die "blob $LAYER differs from the registry's"

# --- unchanged re-sync: bump packyard.io/requested-at ---
sleep 1
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

# --- report ---
echo
echo "== packyard container sync benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') =="
echo "upstream: Debian docker-registry $(dpkg-query -W -f='${Version}' docker-registry 2>/dev/null || echo '?') on 127.0.0.1, $NAME with $TAGS tags (one image manifest each: config, a shared base layer, a layer of its own; storage written directly)"
echo "Remote policy OnDemand, downloadConcurrency $CONCURRENCY; Repository Mirror"
echo "database: throwaway PostgreSQL 15 cluster started by this script ($BENCH_PG_DURABILITY)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews results)"
echo
printf '%-34s %s\n' "tags" "$TAGS (contentCount $COUNT_1, contentCounts $COUNTS_1, version $VERSION_1)"
printf '%-34s %s\n' "sync seconds (lastSync start->end)" "$SYNC_S   (target < 30)"
printf '%-34s %s\n' "process start -> Ready" "$(elapsed "$T_START" "$T_READY") s"
printf '%-34s %s\n' "peak RSS during sync (sampled)" "$(mb "$PEAK_SYNC_KB") MB"
printf '%-34s %s\n' "peak RSS MB (VmHWM)" "$(mb "$HWM") MB   (target < 300; after first sync: $(mb "$HWM_1") MB; now $(mb "$RSS_END") MB)"
printf '%-34s %s\n' "CPU s, first sync (packyard)" "$CPU_PACKYARD_1   (process start -> Ready)"
printf '%-34s %s\n' "unchanged re-sync seconds" "$RESYNC_S (lastSync start->end; target < 5); $RESYNC_WALL s from manifest write to lastHandledRequest echo"
printf '%-34s %s\n' "latestVersion unchanged" "$UNCHANGED (version $VERSION_2, added $(jq -r .lastSync.added <<<"$S2"), removed $(jq -r .lastSync.removed <<<"$S2"))"
printf '%-34s %s\n' "CPU s, total (packyard/pg)" "$CPU_PACKYARD / $CPU_PG"
echo
echo "| tags | sync s | peak RSS MB | unchanged re-sync s | re-sync made a version |"
echo "|-----:|-------:|------------:|--------------------:|:-----------------------|"
echo "| $TAGS | $SYNC_S | $(mb "$HWM") | $RESYNC_S | $([[ $UNCHANGED == yes ]] && echo no || echo "yes: $UNCHANGED") |"
