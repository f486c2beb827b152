#!/usr/bin/env bash
# Benchmark: publishing COUNT real rpms (built with rpmbuild, FILES files and a few requires each), packyard against
# createrepo_c on the same files. createrepo_c indexes the folder (best of RUNS runs, with and without its sqlite
# databases); packyard syncs the folder Immediate from nginx and publishes: its publish time is status.lastSync.completionTime
# -> status.publication.created (includes the reconcile step that starts the publication).
#   bash bench/rpm-publish.sh          (COUNT=500 FILES=30 RUNS=3 BENCH_NO_BUILD=1 BENCH_KEEP=1 to tune)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

COUNT=${COUNT:-500}
FILES=${FILES:-30}
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-600}

bench_init
command -v rpmbuild >/dev/null && command -v createrepo_c >/dev/null || die "needs rpmbuild and createrepo_c: apt-get install rpm createrepo-c"
bench_build

# --- COUNT real noarch rpms (cached): one rpmbuild run over all the specs ---
RPMS=$BENCH_CACHE/rpm-publish-$COUNT-$FILES
if [[ ! -f $RPMS/.complete ]]; then
    log "building $COUNT rpms with rpmbuild into $RPMS"
    rm -rf "$RPMS" && mkdir -p "$RPMS/specs" "$RPMS/repo"
    for i in $(seq 1 "$COUNT"); do
        prev=$((i > 1 ? i - 1 : COUNT))
        {
            printf 'Name: bench%04d\nVersion: 1.%d\nRelease: 1\nSummary: benchmark package %d\nLicense: MIT\nBuildArch: noarch\nAutoReqProv: no\n' "$i" "$i" "$i"
            printf 'Requires: bench%04d >= 1.0\nProvides: bench-capability-%d = 1\n' "$prev" "$i"
            printf '%%description\nBenchmark package %d for packyard.\n%%install\nmkdir -p %%{buildroot}/usr/share/bench%04d %%{buildroot}/usr/bin\n' "$i" "$i"
            printf 'for f in $(seq %d); do echo "$f" > %%{buildroot}/usr/share/bench%04d/file$f.txt; done\necho bench > %%{buildroot}/usr/bin/bench%04d\n' "$FILES" "$i" "$i"
            printf '%%files\n/usr/share/bench%04d\n/usr/bin/bench%04d\n' "$i" "$i"
            printf '%%changelog\n* Sun Nov 22 2026 Bench <b@example.invalid> - 1.%d-1\n- Build %d\n' "$i" "$i"
        } >"$RPMS/specs/bench$i.spec"
    done
    rpmbuild -bb --quiet --define "_topdir $RPMS/rpmbuild" --define "_rpmdir $RPMS/out" --define "_build_id_links none" "$RPMS"/specs/*.spec >"$RPMS/rpmbuild.log" 2>&1 \
        || die "rpmbuild failed: $(tail -5 "$RPMS/rpmbuild.log")"
    mv "$RPMS"/out/noarch/*.rpm "$RPMS/repo/"
    touch "$RPMS/.complete"
fi
chmod -R a+rX "$BENCH_CACHE"
REPO=$BENCH_WORK/repo
cp -r "$RPMS/repo" "$REPO"
RPM_MB=$(du -sm "$REPO" | cut -f1)

# --- createrepo_c on the same files ---
best() { sort -n | head -1; }
CR_DB=$(for _ in $(seq "$RUNS"); do rm -rf "$REPO/repodata"; a=$(now); createrepo_c --quiet --database "$REPO"; elapsed "$a" "$(now)"; echo; done | best)
CR_NODB=$(for _ in $(seq "$RUNS"); do rm -rf "$REPO/repodata"; a=$(now); createrepo_c --quiet --no-database "$REPO"; elapsed "$a" "$(now)"; echo; done | best)

# --- packyard: Immediate sync of that folder, then publish ---
NGINX_PORT=$(free_port)
bench_nginx upstream "$REPO" "$NGINX_PORT"
bench_postgres
MANIFESTS=$BENCH_WORK/manifests
mkdir -p "$MANIFESTS"
cat >"$MANIFESTS/bench.yaml" <<EOF
apiVersion: packyard.io/v1alpha1
kind: Remote
metadata:
  name: rpms
  namespace: default
spec:
  type: rpm
  url: http://127.0.0.1:$NGINX_PORT/
  policy: Immediate
---
apiVersion: packyard.io/v1alpha1
kind: Repository
metadata:
  name: rpms
  namespace: default
spec:
  type: rpm
  remoteRef:
    name: rpms
  sync:
    mode: Mirror
---
apiVersion: packyard.io/v1alpha1
kind: Distribution
metadata:
  name: rpms
  namespace: default
spec:
  basePath: bench/rpms
  repositoryRef:
    name: rpms
EOF
PORT=$(free_port)
bench_packyard "$MANIFESTS" "$BENCH_WORK/data" "$PORT"
wait_port "$PORT" 60
READY='[.[] | select(.kind == "Repository")] | length == 1 and all(.status.publication.version != null and .status.lastSync.result == "Succeeded")'
wait_for "$READY" "$TIMEOUT" "the sync and publish"
S=$(repo_status rpms)
SYNC_END=$(iso_to_epoch "$(jq -r .lastSync.completionTime <<<"$S")")
PUBLISHED=$(iso_to_epoch "$(jq -r .publication.created <<<"$S")")
PUBLISH_S=$(elapsed "$SYNC_END" "$PUBLISHED")
SYNC_S=$(elapsed "$(iso_to_epoch "$(jq -r .lastSync.startTime <<<"$S")")" "$SYNC_END")
PRIMARY=$(curl -fsS "$PACKYARD_URL/bench/rpms/repodata/repomd.xml" | grep -o 'repodata/[0-9a-f]*-primary.xml.gz')
LISTED=$(curl -fsS "$PACKYARD_URL/bench/rpms/$PRIMARY" | gzip -dc | grep -c '<package type="rpm">')

echo
echo "== packyard rpm publish benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') =="
echo "$COUNT real rpms from rpmbuild ($FILES files each, $RPM_MB MB); createrepo_c $(createrepo_c --version | head -1 | awk '{print $2}') best of $RUNS"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %s\n' "createrepo_c (with sqlite databases) s" "$CR_DB"
printf '%-44s %s\n' "createrepo_c --no-database s" "$CR_NODB"
printf '%-44s %s\n' "packyard Immediate sync s (downloads+parse)" "$SYNC_S"
printf '%-44s %s\n' "packyard publish s (sync end -> publication)" "$PUBLISH_S"
printf '%-44s %s\n' "packages in packyard's primary.xml.gz" "$LISTED"
echo
echo "| rpms | createrepo_c s | createrepo_c --no-database s | packyard publish s |"
echo "|---:|---:|---:|---:|"
echo "| $COUNT | $CR_DB | $CR_NODB | $PUBLISH_S |"
