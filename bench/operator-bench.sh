#!/usr/bin/env bash
# Operator mode benchmarks against a REAL Kubernetes control plane (etcd 3.5.30 + kube-apiserver v1.36.2, the binaries of the
# tests' envtest fixture), a throwaway PostgreSQL and `packyard operator` (Release), all on 127.0.0.1:
#   1. apply -> Ready latency of a file Repository with 10 files (and its Distribution), measured from the server-side
#      timestamps in status (lastSync.completionTime -> Ready lastTransitionTime) and as wall time of apply + kubectl wait;
#   2. SCALE Repositories + SCALE Distributions (one shared file Remote) created at once: seconds until all are Ready,
#      and the operator's API writes per resource, counted from the API server's audit log (object and status patches,
#      Events; Lease renewals apart);
#   3. the operator's RSS at rest with those resources, after REST seconds;
#   4. leader takeover after kill -9 of the leader (default lease flags: 15 s lease, 2 s retry), TAKEOVERS times: the
#      Lease's new acquireTime minus the moment of the kill; the median is the figure.
# Binaries: $KUBEBUILDER_ASSETS (envtest convention: etcd, kube-apiserver, kubectl), else unpacked from ../shared/envtest/*.xz
# into $BENCH_CACHE. etcd runs with fsync on, as in a cluster (ETCD_UNSAFE_NO_FSYNC=1 turns it off, as the tests do).
# Knobs: SCALE (500), REST (30), CONCURRENCY (4), TAKEOVERS (5), OPERATOR_ENV (e.g. DOTNET_gcServer=0).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SCALE=${SCALE:-500}
REST=${REST:-30}
CONCURRENCY=${CONCURRENCY:-4}
TAKEOVERS=${TAKEOVERS:-5}
K8S_VERSION=v1.36.2

bench_init
command -v openssl >/dev/null || die "openssl is required"
command -v xz >/dev/null || die "xz is required"

# The real binaries: KUBEBUILDER_ASSETS, else the xz copies next to the repository, unpacked once into the cache.
if [[ -n ${KUBEBUILDER_ASSETS:-} ]]; then
    ASSETS=$KUBEBUILDER_ASSETS
else
    source_dir=""
    for candidate in "$BENCH_ROOT/../shared/envtest" /work/shared/envtest; do
        if [[ -f $candidate/kube-apiserver.xz && -f $candidate/etcd.xz && -f $candidate/kubectl.xz ]]; then source_dir=$candidate; break; fi
    done
    [[ -n $source_dir ]] || die "no real Kubernetes binaries: set KUBEBUILDER_ASSETS (etcd, kube-apiserver, kubectl $K8S_VERSION) or keep ../shared/envtest/*.xz"
    ASSETS=$BENCH_CACHE/envtest-$K8S_VERSION
    mkdir -p "$ASSETS"
    for binary in etcd kube-apiserver kubectl; do
        [[ -x $ASSETS/$binary ]] || { xz -dc "$source_dir/$binary.xz" >"$ASSETS/$binary.tmp" && chmod +x "$ASSETS/$binary.tmp" && mv "$ASSETS/$binary.tmp" "$ASSETS/$binary"; }
    done
fi
for binary in etcd kube-apiserver kubectl; do [[ -x $ASSETS/$binary ]] || die "$ASSETS/$binary is missing"; done
kubectl() { "$ASSETS/kubectl" "$@"; }

bench_build
bench_postgres

# PKI (openssl, as /work/shared/envtest/start-reference.sh): a CA, the serving certificate, the ServiceAccount signing key and
# a static token file: the admin (this script's kubectl) and the operator's user, both in system:masters, so the audit log
# tells the operator's requests apart.
pki=$BENCH_WORK/pki
mkdir -p "$pki"
(
    cd "$pki"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 -subj "/CN=bench-ca" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" >/dev/null 2>&1
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile apiserver.ext -out apiserver.crt >/dev/null 2>&1
    openssl genrsa -out sa.key 2048 >/dev/null 2>&1
    openssl rsa -in sa.key -pubout -out sa.pub >/dev/null 2>&1
    printf '%s,bench-admin,bench-admin,"system:masters"\n%s,packyard-operator,packyard-operator,"system:masters"\n' "$(openssl rand -hex 24)" "$(openssl rand -hex 24)" >tokens.csv
) || die "openssl failed"
ADMIN_TOKEN=$(awk -F, '$2 == "bench-admin" { print $1 }' "$pki/tokens.csv")
OPERATOR_TOKEN=$(awk -F, '$2 == "packyard-operator" { print $1 }' "$pki/tokens.csv")

etcd_port=$(free_port); etcd_peer=$(free_port); api_port=$(free_port)
API=https://127.0.0.1:$api_port
mkdir -m 700 "$BENCH_WORK/etcd"
log "etcd $("$ASSETS/etcd" --version | head -1 | awk '{ print $3 }') on 127.0.0.1:$etcd_port"
"$ASSETS/etcd" --name bench --data-dir "$BENCH_WORK/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" --initial-cluster "bench=http://127.0.0.1:$etcd_peer" \
    --initial-cluster-state new ${ETCD_UNSAFE_NO_FSYNC:+--unsafe-no-fsync} >"$BENCH_WORK/etcd.log" 2>&1 &
BENCH_PIDS+=($!)
for _ in $(seq 300); do curl -fsS "http://127.0.0.1:$etcd_port/health" 2>/dev/null | grep -q '"health":"true"' && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$etcd_port/health" | grep -q '"health":"true"' || die "etcd is not healthy: $(tail -5 "$BENCH_WORK/etcd.log")"

# Every request in the audit log (Metadata level: user, verb, object, response code), one JSON line when it completes.
audit=$BENCH_WORK/audit.log
printf 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived, ResponseStarted]\nrules:\n- level: Metadata\n' >"$BENCH_WORK/audit-policy.yaml"
log "kube-apiserver $K8S_VERSION on $API"
"$ASSETS/kube-apiserver" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" --etcd-servers="http://127.0.0.1:$etcd_port" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" --client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv" \
    --authorization-mode=RBAC --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local --api-audiences=https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range=10.0.0.0/24 --endpoint-reconciler-type=none --allow-privileged=true --profiling=false \
    --audit-policy-file="$BENCH_WORK/audit-policy.yaml" --audit-log-path="$audit" --audit-log-format=json --audit-log-maxsize=0 >"$BENCH_WORK/kube-apiserver.log" 2>&1 &
BENCH_PIDS+=($!)
api() { curl -fsS --cacert "$pki/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" "$API$1"; }
for _ in $(seq 1200); do [[ $(api /readyz 2>/dev/null) == ok ]] && break; sleep 0.1; done
[[ $(api /readyz 2>/dev/null) == ok ]] || die "kube-apiserver is not ready: $(tail -5 "$BENCH_WORK/kube-apiserver.log")"
kubeconfig() { # kubeconfig FILE TOKEN
    printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: bench\n  cluster:\n    server: %s\n    certificate-authority-data: %s\nusers:\n- name: user\n  user:\n    token: %s\ncontexts:\n- name: bench\n  context: {cluster: bench, user: user, namespace: default}\ncurrent-context: bench\n' \
        "$API" "$(base64 -w0 <"$pki/ca.crt")" "$2" >"$1"
    chmod 600 "$1"
}
kubeconfig "$BENCH_WORK/admin.kubeconfig" "$ADMIN_TOKEN"
kubeconfig "$BENCH_WORK/operator.kubeconfig" "$OPERATOR_TOKEN"
export KUBECONFIG=$BENCH_WORK/admin.kubeconfig KUBECACHEDIR=$BENCH_WORK/kube-cache
kubectl apply --server-side -f "$BENCH_ROOT/crds/packyard.io_remotes.yaml" -f "$BENCH_ROOT/crds/packyard.io_repositories.yaml" \
    -f "$BENCH_ROOT/crds/packyard.io_distributions.yaml" -f "$BENCH_ROOT/crds/packyard.io_promotions.yaml" >/dev/null
kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null
for _ in $(seq 100); do kubectl get namespace default >/dev/null 2>&1 && break; sleep 0.1; done

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
# The operator's writes in the audit log after byte OFFSET, by kind: "objects" (PATCH/PUT/POST/DELETE of the four kinds'
# metadata), "status", "events", "leases", "other".
audit_writes() { # audit_writes OFFSET KIND
    tail -c +$(($1 + 1)) "$audit" | jq -r 'select(.user.username == "packyard-operator" and (.verb | IN("create", "update", "patch", "delete")))
        | if .objectRef.apiGroup == "packyard.io" then (if .objectRef.subresource == "status" then "status" else "objects" end)
          elif .objectRef.resource == "events" then "events" elif .objectRef.resource == "leases" then "leases" else "other" end' 2>/dev/null |
        awk -v k="$2" '$0 == k { n++ } END { print n + 0 }'
}
audit_mark() { stat -c %s "$audit"; }

# Starts `packyard operator` as IDENTITY with the default lease flags; sets OPERATOR_PID and OPERATOR_PORT.
start_operator() { # start_operator IDENTITY
    OPERATOR_PORT=$(free_port)
    env ${OPERATOR_ENV:-} COLUMNS=250 DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$PACKYARD_DLL" operator --kubeconfig "$BENCH_WORK/operator.kubeconfig" \
        --database "$BENCH_DB" --storage "$BENCH_WORK/artifacts" --data-dir "$BENCH_WORK/data-$1" --listen "127.0.0.1:$OPERATOR_PORT" --identity "$1" \
        --leader-election-namespace default --concurrency "$CONCURRENCY" >"$BENCH_WORK/operator-$1.log" 2>&1 &
    OPERATOR_PID=$!
    BENCH_PIDS+=("$OPERATOR_PID")
    wait_port "$OPERATOR_PORT" 60
}
lease_holder() { api /apis/coordination.k8s.io/v1/namespaces/default/leases/packyard-controller | jq -r '"\(.spec.holderIdentity) \(.spec.acquireTime)"'; }

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

log "packyard operator (identity bench)"
start_operator bench
port=$OPERATOR_PORT
for _ in $(seq 600); do curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null | grep -q '^packyard_leader 1' && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$port/metrics" | grep -q '^packyard_leader 1' || die "the operator does not lead: $(tail -20 "$BENCH_WORK/operator-bench.log")"
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
mark=$(audit_mark)
cpu0=$(proc_cpu "$OPERATOR_PID")
t0=$(now)
kubectl create -f "$BENCH_WORK/scale.yaml" >/dev/null
t_created=$(now)
want=$((2 * SCALE))
ready=0
deadline=$((SECONDS + 900))
while ((ready < want)); do
    ((SECONDS < deadline)) || die "only $ready of $want Ready after 900 s"
    sleep 1
    ready=$(kubectl get repositories,distributions -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^scale-.* True$' || true)
done
t_ready=$(now)
cpu1=$(proc_cpu "$OPERATOR_PID")
sleep 5
objects=$(audit_writes "$mark" objects); statuses=$(audit_writes "$mark" status); events=$(audit_writes "$mark" events); other=$(audit_writes "$mark" other)
resources=$((2 * SCALE + 1))
per() { awk -v a="$1" -v b="$resources" 'BEGIN { printf "%.2f", a / b }'; }
all_ready=$(elapsed "$t0" "$t_ready")
log "scale: $((2 * SCALE)) resources created in $(elapsed "$t0" "$t_created")s (kubectl create), all Ready ${all_ready}s after the create started; operator CPU $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }')s"
log "scale: operator API writes per resource (audit log): object $(per "$objects"), status $(per "$statuses"), Events $(per "$events"), other $other; all but Leases $(per $((objects + statuses + events + other)))"

# 3. RSS at rest.
log "resting ${REST}s"
sleep "$REST"
rss=$(vm_field "$OPERATOR_PID" VmRSS); hwm=$(vm_field "$OPERATOR_PID" VmHWM)
mark=$(audit_mark); sleep 10
rest_writes=$(($(audit_writes "$mark" objects) + $(audit_writes "$mark" status) + $(audit_writes "$mark" events)))
log "rest: operator VmRSS $(mb "$rss") MB (peak $(mb "$hwm") MB) with $((2 * SCALE + 4)) resources; non-Lease writes in 10 s at rest: $rest_writes"
breakdown=$(memory_breakdown "$OPERATOR_PID" "$port")
log "rest: $breakdown"

# 4. Takeover after kill -9 of the leader, TAKEOVERS times: a standby campaigns (default flags), the leader is killed, and the
# time is the Lease's new acquireTime (written by the standby) minus the kill.
leader_pid=$OPERATOR_PID
leader=bench
takeovers=()
for round in $(seq "$TAKEOVERS"); do
    start_operator "standby-$round"
    standby_pid=$OPERATOR_PID
    sleep 5 # it has read the Lease and waits for it (retry period 2 s)
    t_kill=$(now)
    disown "$leader_pid" 2>/dev/null || true # no "Killed" job notice
    kill -9 "$leader_pid"
    holder=""
    for _ in $(seq 600); do
        read -r holder acquired < <(lease_holder)
        [[ $holder == "standby-$round" ]] && break
        sleep 0.1
    done
    [[ $holder == "standby-$round" ]] || die "standby-$round did not take the Lease within 60 s (holder $holder)"
    takeover=$(awk -v a="$t_kill" -v b="$(date -d "$acquired" +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    takeovers+=("$takeover")
    log "takeover $round: $leader killed, standby-$round acquired the Lease ${takeover}s later"
    leader_pid=$standby_pid
    leader=standby-$round
done
median=$(printf '%s\n' "${takeovers[@]}" | sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
log "takeover after kill -9: median ${median}s of ${takeovers[*]}"

printf '\n| figure | value | target |\n|---|---|---|\n'
printf '| file Repository (10 files): sync | %s s | |\n' "$sync_s"
printf '| Repository Ready after the sync finished | %s s | < 2 s |\n' "$repo_after"
printf '| Distribution Ready after the sync finished | %s s | < 2 s |\n' "$dist_after"
printf '| apply -> Ready, wall (kubectl apply + wait) | %s s | |\n' "$apply_ready"
printf '| %s Repositories + %s Distributions: all Ready | %s s | < 60 s |\n' "$SCALE" "$SCALE" "$all_ready"
printf '| operator API writes per resource: object / status / Events (Leases apart) | %s / %s / %s = %s | <= 4 |\n' "$(per "$objects")" "$(per "$statuses")" "$(per "$events")" "$(per $((objects + statuses + events + other)))"
printf '| operator RSS at rest (%s resources) | %s MB (peak %s MB) | < 150 MB |\n' "$((2 * SCALE + 4))" "$(mb "$rss")" "$(mb "$hwm")"
printf '| non-Lease writes in 10 s at rest | %s | 0 |\n' "$rest_writes"
printf '| takeover after kill -9 of the leader (15 s lease, 2 s retry), median of %s | %s s (%s) | <= 17 s |\n' "$TAKEOVERS" "$median" "${takeovers[*]}"
printf 'memory at rest: %s\n' "$breakdown"
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
