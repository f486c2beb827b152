#!/usr/bin/env bash
# Operator mode benchmarks against the tests' Kubernetes API server (bench/operator-apiserver), a throwaway PostgreSQL
# and `packyard operator` (Release), all on 127.0.0.1:
#   1. apply -> Ready latency of a file Repository with 10 files (and its Distribution), measured from the server-side
#      timestamps in status (lastSync.completionTime -> Ready lastTransitionTime) and as wall time of apply + kubectl wait;
#   2. SCALE Repositories + SCALE Distributions (one shared file Remote) created at once: seconds until all are Ready,
#      and API requests per resource (the operator's object writes; Event and Lease writes apart);
#   3. the operator's RSS at rest with those resources, after REST seconds.
# Knobs: SCALE (500), REST (30), CONCURRENCY (4), OPERATOR_ENV (e.g. DOTNET_gcServer=0: workstation GC for the operator).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SCALE=${SCALE:-500}
REST=${REST:-30}
CONCURRENCY=${CONCURRENCY:-4}

bench_init
command -v kubectl >/dev/null || die "kubectl is required"
bench_build
log "dotnet build -c Release bench/operator-apiserver"
dotnet build -c Release "$BENCH_ROOT/bench/operator-apiserver" -nologo -v q >"$BENCH_WORK/build-apiserver.log" 2>&1 || die "$(tail -5 "$BENCH_WORK/build-apiserver.log")"
bench_postgres

api=$BENCH_WORK/api
dotnet "$BENCH_ROOT/bench/operator-apiserver/bin/Release/net10.0/OperatorApiServer.dll" "$api" >"$BENCH_WORK/apiserver.log" 2>&1 &
BENCH_PIDS+=($!)
for _ in $(seq 300); do [[ -f $api/requests.txt ]] && break; sleep 0.1; done
[[ -f $api/requests.txt ]] || die "the API server did not start: $(tail -5 "$BENCH_WORK/apiserver.log")"
export KUBECONFIG=$api/kubeconfig KUBECACHEDIR=$BENCH_WORK/kube-cache
# The operator's resident memory by kind of mapping (MB, from /proc/PID/smaps): anonymous (the GC's committed memory as
# /metrics reports it; the rest is malloc arenas, the runtime's type data and stacks), executable memory (JIT code,
# stubs and precode: W^X double-maps it through a memfd "doublemapper"), managed assemblies (*.dll), the runtime's
# native libraries (libcoreclr, libclrjit, System.*.so), ICU and other shared libraries; the GC heap; the thread count.
memory_breakdown() { # memory_breakdown PID PORT
    local gc
    gc=$(curl -fsS "http://127.0.0.1:$2/metrics" | awk '$1 == "packyard_gc_heap_bytes" { h = $2 } $1 == "packyard_gc_committed_bytes" { c = $2 }
        $1 == "packyard_gc_heaps" { n = $2 } END { printf "%.0f %.0f %d", h / 1048576, c / 1048576, n }')
    awk -v gc="$gc" '/^[0-9a-f]+-[0-9a-f]+ / { n = $6; k = n ~ /doublemapper/ ? "jit" : n ~ /libicu/ ? "icu" : n ~ /\.dll$/ ? "dll" \
            : n ~ /(libcoreclr|libclrjit|libhostfxr|libhostpolicy|libSystem\.|libmscordac)/ ? "runtime" : n == "" || n ~ /^\[/ ? "anon" : "lib"; next }
        $1 == "Rss:" { r[k] += $2; t += $2 }
        END { split(gc, g, " "); a = r["anon"] / 1024
            printf "RSS %.0f MB = anonymous %.0f (GC committed %d, other %.0f) + JIT code %.0f + managed DLLs %.0f + runtime .so %.0f + ICU %.0f + other libraries %.0f; GC heap %d MB in %d heap(s)", \
                t / 1024, a, g[2], a - g[2], r["jit"] / 1024, r["dll"] / 1024, r["runtime"] / 1024, r["icu"] / 1024, r["lib"] / 1024, g[1], g[3] }' "/proc/$1/smaps"
    printf '; threads %s\n' "$(vm_field "$1" Threads)"
}
requests() { awk -v k="$1" '{ v = $NF; $NF = ""; sub(/ $/, ""); if ($0 == k) print v }' "$api/requests.txt" | awk '{ s += $1 } END { print s + 0 }'; }

# Ten files of 1-4 KiB and their PULP_MANIFEST.
upstream=$BENCH_WORK/upstream
python3 - "$upstream" <<'PY'
import hashlib, os, random, sys
root = sys.argv[1]; os.makedirs(root, exist_ok=True); random.seed(7); lines = []
for i in range(10):
    data = random.randbytes(random.randint(1024, 4096)); name = f"file-{i:02d}.bin"
    open(os.path.join(root, name), "wb").write(data)
    lines.append(f"{name},{hashlib.sha256(data).hexdigest()},{len(data)}\n")
open(os.path.join(root, "PULP_MANIFEST"), "w").writelines(lines)
PY

port=$(free_port)
log "packyard operator on 127.0.0.1:$port"
env ${OPERATOR_ENV:-} COLUMNS=250 DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$PACKYARD_DLL" operator --kubeconfig "$KUBECONFIG" --database "$BENCH_DB" \
    --storage "$BENCH_WORK/artifacts" --data-dir "$BENCH_WORK/data" --listen "127.0.0.1:$port" --identity bench \
    --leader-election-namespace default --concurrency "$CONCURRENCY" >"$BENCH_WORK/operator.log" 2>&1 &
OPERATOR_PID=$!
BENCH_PIDS+=("$OPERATOR_PID")
wait_port "$port" 60
for _ in $(seq 300); do curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null | grep -q '^packyard_leader 1' && break; sleep 0.1; done
log "operator leads"

# 1. Latency of one file Repository with 10 files.
cat >"$BENCH_WORK/latency.yaml" <<YAML
apiVersion: packyard.io/v1alpha1
kind: Remote
metadata: {name: latency, namespace: default}
spec: {type: file, url: "file://$upstream/", policy: Immediate}
---
apiVersion: packyard.io/v1alpha1
kind: Repository
metadata: {name: latency, namespace: default}
spec: {type: file, remoteRef: {name: latency}}
---
apiVersion: packyard.io/v1alpha1
kind: Distribution
metadata: {name: latency, namespace: default}
spec: {basePath: bench/latency, repositoryRef: {name: latency}}
YAML
t0=$(now)
kubectl apply -f "$BENCH_WORK/latency.yaml" >/dev/null
kubectl wait --for=condition=Ready repository/latency distribution/latency --timeout=120s >/dev/null
t1=$(now)
curl -fsS "http://127.0.0.1:$port/bench/latency/file-09.bin" -o /dev/null || die "the latency distribution does not serve file-09.bin"
read -r sync_s repo_after dist_after < <(
    { kubectl get repository latency -o json; kubectl get distribution latency -o json; } | jq -rs '
        def t: sub("\\.[0-9]+"; "") | sub("\\+00:00$"; "Z") | fromdateiso8601;
        def f: capture("\\.(?<f>[0-9]+)") .f // "0" | ("0." + .) | tonumber;
        def ts: (t + f);
        def ready: .status.conditions[] | select(.type == "Ready") | .lastTransitionTime | ts;
        (.[0].status.lastSync) as $s
        | [(($s.completionTime | ts) - ($s.startTime | ts)), ((.[0] | ready) - ($s.completionTime | ts)), ((.[1] | ready) - ($s.completionTime | ts))]
        | map(. * 1000 | round / 1000) | @tsv')
apply_ready=$(elapsed "$t0" "$t1")
log "latency: sync ${sync_s}s; Repository Ready ${repo_after}s and Distribution Ready ${dist_after}s after the sync finished; apply -> both Ready (wall, kubectl included) ${apply_ready}s"

# 2. SCALE Repositories + SCALE Distributions at once.
python3 - "$BENCH_WORK/scale.yaml" "$upstream" "$SCALE" <<'PY'
import sys
path, upstream, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
docs = [f'apiVersion: packyard.io/v1alpha1\nkind: Remote\nmetadata: {{name: scale, namespace: default}}\nspec: {{type: file, url: "file://{upstream}/", policy: Immediate}}\n']
for i in range(n):
    docs.append(f'apiVersion: packyard.io/v1alpha1\nkind: Repository\nmetadata: {{name: scale-{i:04d}, namespace: default}}\nspec: {{type: file, remoteRef: {{name: scale}}}}\n')
    docs.append(f'apiVersion: packyard.io/v1alpha1\nkind: Distribution\nmetadata: {{name: scale-{i:04d}, namespace: default}}\nspec: {{basePath: bench/scale/{i:04d}, repositoryRef: {{name: scale-{i:04d}}}}}\n')
open(path, "w").write("---\n".join(docs))
PY
sleep 2
patch0=$(requests "objects PATCH"); put0=$(requests "objects PUT"); post0=$(requests "objects POST"); events0=$(requests events); get0=$(requests GET)
cpu0=$(proc_cpu "$OPERATOR_PID")
t0=$(now)
kubectl create -f "$BENCH_WORK/scale.yaml" >/dev/null
t_created=$(now)
want=$((2 * SCALE))
ready=0
deadline=$((SECONDS + 600))
while ((ready < want)); do
    ((SECONDS < deadline)) || die "only $ready of $want Ready after 600 s"
    sleep 1
    ready=$(kubectl get repositories,distributions -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^scale-.* True$' || true)
done
t_ready=$(now)
cpu1=$(proc_cpu "$OPERATOR_PID")
sleep 5
patches=$(($(requests "objects PATCH") - patch0)); puts=$(($(requests "objects PUT") - put0)); posts=$(($(requests "objects POST") - post0 - 2 * SCALE - 1))
events=$(($(requests events) - events0)); gets=$(($(requests GET) - get0))
resources=$((2 * SCALE + 1))
per() { awk -v a="$1" -v b="$resources" 'BEGIN { printf "%.2f", a / b }'; }
log "scale: $((2 * SCALE)) resources created in $(elapsed "$t0" "$t_created")s (kubectl create), all Ready $(elapsed "$t0" "$t_ready")s after the create started; operator CPU $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }')s"
log "scale: operator object writes per resource: PATCH $(per "$patches"), PUT $(per "$puts"), POST $(per "$posts"); Event writes per resource $(per "$events"); GETs (the operator's and this script's polling) $gets"

# 3. RSS at rest.
log "resting ${REST}s"
sleep "$REST"
rss=$(vm_field "$OPERATOR_PID" VmRSS); hwm=$(vm_field "$OPERATOR_PID" VmHWM)
patch_rest=$(requests "objects PATCH"); sleep 10; patch_rest=$(($(requests "objects PATCH") - patch_rest))
log "rest: operator VmRSS $(mb "$rss") MB (peak $(mb "$hwm") MB) with $((2 * SCALE + 4)) resources; object PATCHes in 10 s at rest: $patch_rest"
breakdown=$(memory_breakdown "$OPERATOR_PID" "$port")
log "rest: $breakdown"

printf '\n| figure | value | target |\n|---|---|---|\n'
printf '| file Repository (10 files): sync | %s s | |\n' "$sync_s"
printf '| Repository Ready after the sync finished | %s s | < 2 s |\n' "$repo_after"
printf '| Distribution Ready after the sync finished | %s s | < 2 s |\n' "$dist_after"
printf '| apply -> Ready, wall (kubectl apply + wait) | %s s | |\n' "$apply_ready"
printf '| %s Repositories + %s Distributions: all Ready | %s s | < 60 s |\n' "$SCALE" "$SCALE" "$(elapsed "$t0" "$t_ready")"
printf '| operator object writes per resource (PATCH/PUT/POST) | %s / %s / %s | a handful |\n' "$(per "$patches")" "$(per "$puts")" "$(per "$posts")"
printf '| Event writes per resource | %s | |\n' "$(per "$events")"
printf '| operator RSS at rest (%s resources) | %s MB (peak %s MB) | < 150 MB |\n' "$((2 * SCALE + 4))" "$(mb "$rss")" "$(mb "$hwm")"
printf '| object writes in 10 s at rest | %s | 0 |\n' "$patch_rest"
printf 'memory at rest: %s\n' "$breakdown"
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
