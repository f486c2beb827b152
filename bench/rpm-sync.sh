#!/usr/bin/env bash
# Benchmark: OnDemand sync + publish of a generated yum repository of PACKAGES packages (FILES files and DEPS requires
# per package, 3 changelog entries) from a local nginx upstream, then a no-change re-sync (packyard.io/requested-at bump).
# Prints sync seconds, process start -> Ready (includes publishing primary/filelists/other), peak RSS, re-sync seconds and
# whether latestVersion stayed; checks the published primary.xml.gz lists every package.
#   bash bench/rpm-sync.sh          (PACKAGES=30000 FILES=40 DEPS=20 BENCH_NO_BUILD=1 BENCH_KEEP=1 to tune)
# Targets (issue 6): < 60 s and < 500 MB RSS; a no-change re-sync < 10 s and no new version.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PACKAGES=${PACKAGES:-30000}
FILES=${FILES:-40}
DEPS=${DEPS:-20}
TIMEOUT=${TIMEOUT:-900}

bench_init
bench_build

# --- upstream: primary/filelists/other.xml.gz and repomd.xml as createrepo_c writes them (cached; no rpm files: OnDemand) ---
UPSTREAM=$BENCH_CACHE/rpm-repo-$PACKAGES-$FILES-$DEPS
if [[ ! -f $UPSTREAM/.complete ]]; then
    log "generating a yum repository of $PACKAGES packages x $FILES files x $DEPS requires into $UPSTREAM"
    rm -rf "$UPSTREAM"
    python3 - "$UPSTREAM" "$PACKAGES" "$FILES" "$DEPS" <<'EOF'
import gzip, hashlib, os, random, sys, time
root, count, nfiles, ndeps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(20261122)
os.makedirs(os.path.join(root, "repodata"))
words = ["lib", "python3", "perl", "golang", "rust", "kernel", "gnome", "kde", "qt5", "texlive", "ghc", "nodejs", "java",
         "devel", "common", "tools", "utils", "core", "data", "doc", "fonts", "plugin", "server", "client", "x11", "gtk3"]
names = []
for i in range(count):
    names.append("-".join(rng.sample(words, rng.randint(1, 3))) + f"-{i}")
now = int(time.time())
def open_gz(name):
    path = os.path.join(root, "repodata", name)
    return path, gzip.open(path, "wt", encoding="utf-8", compresslevel=6)
p_path, p = open_gz("primary.xml.gz")
f_path, f = open_gz("filelists.xml.gz")
o_path, o = open_gz("other.xml.gz")
p.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="{count}">\n')
f.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="{count}">\n')
o.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="{count}">\n')
for i, name in enumerate(names):
    ver, rel = f"{1 + i % 7}.{i % 13}.{i % 3}", f"{1 + i % 4}.fc40"
    arch = "noarch" if i % 3 == 0 else "x86_64"
    pkgid = hashlib.sha256(f"{name}-{ver}-{rel}".encode()).hexdigest()
    fn = f"{name}-{ver}-{rel}.{arch}.rpm"
    files = [f"/usr/share/{name}/data/file{j}.dat" for j in range(nfiles - 4)] + [f"/usr/bin/{name}", f"/usr/lib64/lib{name}.so.{j}" if False else f"/usr/lib64/lib{name}.so.1", f"/etc/{name}.conf", f"/usr/share/{name}"]
    deps = rng.sample(range(count), ndeps)
    req = "".join(f'<rpm:entry name="{names[d]}" flags="GE" epoch="0" ver="1.0"/>' if k % 2 else f'<rpm:entry name="{names[d]}"/>' for k, d in enumerate(deps))
    prov = f'<rpm:entry name="{name}" flags="EQ" epoch="0" ver="{ver}" rel="{rel}"/><rpm:entry name="{name}({arch})" flags="EQ" epoch="0" ver="{ver}" rel="{rel}"/><rpm:entry name="lib{name}.so.1()(64bit)"/>'
    prim_files = "".join(f"<file>{x}</file>" for x in files if x.startswith("/etc/") or "bin/" in x)
    p.write(f'<package type="rpm"><name>{name}</name><arch>{arch}</arch><version epoch="0" ver="{ver}" rel="{rel}"/>'
            f'<checksum type="sha256" pkgid="YES">{pkgid}</checksum><summary>The {name} package</summary>'
            f'<description>The {name} package provides things for the benchmark &amp; more. It is generated.</description>'
            f'<packager>Bench</packager><url>https://example.invalid/{name}</url><time file="{now}" build="{now - i}"/>'
            f'<size package="{10000 + i}" installed="{40000 + i}" archive="{41000 + i}"/><location href="Packages/{name[0]}/{fn}"/>'
            f'<format><rpm:license>MIT</rpm:license><rpm:vendor>Bench</rpm:vendor><rpm:group>Unspecified</rpm:group>'
            f'<rpm:buildhost>bench</rpm:buildhost><rpm:sourcerpm>{name}-{ver}-{rel}.src.rpm</rpm:sourcerpm>'
            f'<rpm:header-range start="4504" end="{9000 + i % 1000}"/><rpm:provides>{prov}</rpm:provides><rpm:requires>{req}</rpm:requires>'
            f'{prim_files}</format></package>\n')
    f.write(f'<package pkgid="{pkgid}" name="{name}" arch="{arch}"><version epoch="0" ver="{ver}" rel="{rel}"/>'
            + "".join(f'<file type="dir">{x}</file>' if x == f"/usr/share/{name}" else f"<file>{x}</file>" for x in files) + "</package>\n")
    o.write(f'<package pkgid="{pkgid}" name="{name}" arch="{arch}"><version epoch="0" ver="{ver}" rel="{rel}"/>'
            + "".join(f'<changelog author="Bench &lt;b@example.invalid&gt; - {ver}-{k}" date="{now - k * 86400}">- change {k} of {name}</changelog>' for k in range(3)) + "</package>\n")
p.write("</metadata>\n"); f.write("</filelists>\n"); o.write("</otherdata>\n")
p.close(); f.close(); o.close()
def digest(path, opener):
    h, n = hashlib.sha256(), 0
    with opener(path, "rb") as s:
        while chunk := s.read(1 << 20):
            h.update(chunk); n += len(chunk)
    return h.hexdigest(), n
entries = []
for kind, path in (("primary", p_path), ("filelists", f_path), ("other", o_path)):
    sha, size = digest(path, open)
    osha, osize = digest(path, gzip.open)
    final = os.path.join(root, "repodata", f"{sha}-{kind}.xml.gz")
    os.rename(path, final)
    entries.append(f'<data type="{kind}"><checksum type="sha256">{sha}</checksum><open-checksum type="sha256">{osha}</open-checksum>'
                   f'<location href="repodata/{sha}-{kind}.xml.gz"/><timestamp>{now}</timestamp><size>{size}</size><open-size>{osize}</open-size></data>\n')
with open(os.path.join(root, "repodata", "repomd.xml"), "w") as r:
    r.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n<revision>{now}</revision>\n' + "".join(entries) + "</repomd>\n")
open(os.path.join(root, ".complete"), "w").close()
EOF
fi
chmod -R a+rX "$BENCH_CACHE"
METADATA_MB=$(du -sm "$UPSTREAM/repodata" | cut -f1)

NGINX_PORT=$(free_port)
bench_nginx upstream "$UPSTREAM" "$NGINX_PORT"
curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/repodata/repomd.xml" || die "nginx does not serve the upstream"

bench_postgres
log "throwaway PostgreSQL 15 cluster on 127.0.0.1:$BENCH_PG_PORT"

MANIFESTS=$BENCH_WORK/manifests
mkdir -p "$MANIFESTS"
write_manifests() {
    cat >"$MANIFESTS/bench.yaml" <<EOF
apiVersion: packyard.io/v1alpha1
kind: Remote
metadata:
  name: rpm-local
  namespace: default
spec:
  type: rpm
  url: http://127.0.0.1:$NGINX_PORT/
  policy: OnDemand
---
apiVersion: packyard.io/v1alpha1
kind: Repository
metadata:
  name: el
  namespace: default
  annotations:
    packyard.io/requested-at: "$1"
spec:
  type: rpm
  remoteRef:
    name: rpm-local
  sync:
    mode: Mirror
---
apiVersion: packyard.io/v1alpha1
kind: Distribution
metadata:
  name: el
  namespace: default
spec:
  basePath: bench/el
  repositoryRef:
    name: el
EOF
}
write_manifests initial

PORT=$(free_port)
RSS=$BENCH_WORK/rss.txt
T_START=$(now)
bench_packyard "$MANIFESTS" "$BENCH_WORK/data" "$PORT"
rss_sampler "$PACKYARD_PID" "$RSS" 0.2
log "packyard pid $PACKYARD_PID on $PACKYARD_URL, OnDemand sync of $PACKAGES packages ($METADATA_MB MB of compressed metadata)"
wait_port "$PORT" 60
READY=$READY_ONE_REPOSITORY_AND_DISTRIBUTION
wait_for "$READY" "$TIMEOUT" "the sync and publish"
T_READY=$(now)
HWM_1=$(vm_field "$PACKYARD_PID" VmHWM)
S1=$(repo_status el)
SYNC_S=$(elapsed "$(iso_to_epoch "$(jq -r .lastSync.startTime <<<"$S1")")" "$(iso_to_epoch "$(jq -r .lastSync.completionTime <<<"$S1")")")
VERSION_1=$(jq -r .latestVersion <<<"$S1")
COUNT=$(jq -r .contentCount <<<"$S1")
[[ $COUNT == "$PACKAGES" ]] || log "WARNING: contentCount is $COUNT, expected $PACKAGES"

# the published primary lists every package
REPOMD=$(curl -fsS "$PACKYARD_URL/bench/el/repodata/repomd.xml")
PRIMARY=$(grep -o 'repodata/[0-9a-f]*-primary.xml.gz' <<<"$REPOMD")
PUBLISHED=$(curl -fsS "$PACKYARD_URL/bench/el/$PRIMARY" | gzip -dc | grep -c '<package type="rpm">')
[[ $PUBLISHED == "$PACKAGES" ]] || log "WARNING: published primary lists $PUBLISHED packages"

# --- no-change re-sync ---
sleep 1
REQ="bench-$(date +%s%N)"
T_REQ=$(now)
write_manifests "$REQ"
wait_for "[.[] | select(.kind == \"Repository\" and .name == \"el\") | .status.lastHandledRequest == \"$REQ\" and .status.lastSync.result == \"Succeeded\"] == [true]" "$TIMEOUT" "the re-sync"
S2=$(repo_status el)
RESYNC_S=$(elapsed "$(iso_to_epoch "$(jq -r .lastSync.startTime <<<"$S2")")" "$(iso_to_epoch "$(jq -r .lastSync.completionTime <<<"$S2")")")
VERSION_2=$(jq -r .latestVersion <<<"$S2")
[[ $VERSION_1 == "$VERSION_2" ]] && UNCHANGED=yes || UNCHANGED="NO ($VERSION_1 -> $VERSION_2)"
HWM=$(vm_field "$PACKYARD_PID" VmHWM)

echo
echo "== packyard rpm OnDemand sync benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') =="
echo "upstream: nginx on 127.0.0.1, $PACKAGES packages x $FILES files x $DEPS requires, $METADATA_MB MB gz metadata; Remote OnDemand, Mirror"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-40s %s\n' "packages (contentCount)" "$COUNT"
printf '%-40s %s\n' "sync seconds (lastSync start->end)" "$SYNC_S"
printf '%-40s %s\n' "process start -> Ready (sync + publish)" "$(elapsed "$T_START" "$T_READY") s   (target < 60)"
printf '%-40s %s\n' "peak RSS MB after sync+publish (VmHWM)" "$(mb "$HWM_1")   (target < 500)"
printf '%-40s %s\n' "packages in published primary.xml.gz" "$PUBLISHED"
printf '%-40s %s\n' "no-change re-sync seconds" "$RESYNC_S   (target < 10)"
printf '%-40s %s\n' "latestVersion unchanged" "$UNCHANGED"
printf '%-40s %s\n' "peak RSS MB overall (VmHWM)" "$(mb "$HWM")"
echo
echo "| packages | sync s | start->Ready s | peak RSS MB | no-change re-sync s | version unchanged |"
echo "|---:|---:|---:|---:|---:|---|"
echo "| $COUNT | $SYNC_S | $(elapsed "$T_START" "$T_READY") | $(mb "$HWM") | $RESYNC_S | $UNCHANGED |"
