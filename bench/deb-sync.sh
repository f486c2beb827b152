#!/usr/bin/env bash
# Benchmark: Debian bookworm's real main/binary-amd64 index (63,440 packages, from this machine's apt lists) served by nginx
# as an upstream: OnDemand sync verified with the Debian archive keyring, signed publish (InRelease, Release.gpg, Packages,
# .gz, .xz, by-hash), then an unchanged re-sync (packyard.io/requested-at bump) that must create no version. Then
# apt-ftparchive builds the same indices (Packages, .gz, .xz, Release, signed) for the same packages, side by side.
#   bash bench/deb-sync.sh          (BENCH_NO_BUILD=1 BENCH_KEEP=1 SKIP_FTPARCHIVE=1 FTP_COLD=1 to tune)
# Targets (issue 5): sync + publish < 60 s and < 500 MB RSS; unchanged re-sync < 10 s, no new version.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

TIMEOUT=${TIMEOUT:-900}
LISTS=${LISTS:-/var/lib/apt/lists}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
IN_RELEASE=$LISTS/deb.debian.org_debian_dists_bookworm_InRelease
PACKAGES_LZ4=$LISTS/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4

bench_init
bench_install lz4 gpg
command -v apt-ftparchive >/dev/null || bench_install apt-utils
command -v xz >/dev/null || bench_install xz-utils
[[ -f $IN_RELEASE && -f $PACKAGES_LZ4 && -f $KEYRING ]] \
    || die "needs bookworm's apt lists ($IN_RELEASE, $PACKAGES_LZ4: run apt-get update) and $KEYRING"
bench_build

# --- upstream: the real InRelease and Packages, as deb.debian.org serves them ---
UPSTREAM=$BENCH_WORK/upstream
mkdir -p "$UPSTREAM/dists/bookworm/main/binary-amd64"
cp "$IN_RELEASE" "$UPSTREAM/dists/bookworm/InRelease"
lz4 -dcq "$PACKAGES_LZ4" >"$UPSTREAM/dists/bookworm/main/binary-amd64/Packages"
PACKAGES_TOTAL=$(grep -c '^Package: ' "$UPSTREAM/dists/bookworm/main/binary-amd64/Packages")
chmod -R a+rX "$UPSTREAM"
NGINX_PORT=$(free_port)
bench_nginx upstream "$UPSTREAM" "$NGINX_PORT"
curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/dists/bookworm/InRelease" || die "nginx does not serve the upstream"

# --- a throwaway signing key for the publication ---
export GNUPGHOME=$BENCH_WORK/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch -q --pinentry-mode loopback --passphrase '' --quick-gen-key 'Packyard bench <bench@example.invalid>' rsa3072 sign never 2>/dev/null
gpg --batch -q --armor --export-secret-keys >"$BENCH_WORK/signing.asc"
gpg --batch -q --export >"$BENCH_WORK/signing.gpg"

bench_postgres
log "throwaway PostgreSQL 15 cluster on 127.0.0.1:$BENCH_PG_PORT"

MANIFESTS=$BENCH_WORK/manifests
mkdir -p "$MANIFESTS"
write_manifests() { # write_manifests REQUESTED_AT
    cat >"$MANIFESTS/bench.yaml" <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: debian-archive-key
  namespace: default
data:
  keyring.gpg: $(base64 -w0 "$KEYRING")
---
apiVersion: v1
kind: Secret
metadata:
  name: signing-key
  namespace: default
data:
  private.asc: $(base64 -w0 "$BENCH_WORK/signing.asc")
---
apiVersion: packyard.io/v1alpha1
kind: Remote
metadata:
  name: bookworm
  namespace: default
spec:
  type: deb
  url: http://127.0.0.1:$NGINX_PORT/
  policy: OnDemand
  deb:
    distributions: [bookworm]
    components: [main]
    architectures: [amd64]
    signingKeySecretRef:
      name: debian-archive-key
---
apiVersion: packyard.io/v1alpha1
kind: Repository
metadata:
  name: bookworm
  namespace: default
  annotations:
    packyard.io/requested-at: "$1"
spec:
  type: deb
  remoteRef:
    name: bookworm
  sync:
    mode: Mirror
  publish:
    signingKeySecretRef:
      name: signing-key
---
apiVersion: packyard.io/v1alpha1
kind: Distribution
metadata:
  name: bookworm
  namespace: default
spec:
  basePath: bench/debian
  repositoryRef:
    name: bookworm
EOF
}
write_manifests initial

# --- OnDemand sync + signed publish ---
PORT=$(free_port)
RSS=$BENCH_WORK/rss.txt
T_START=$(now)
bench_packyard "$MANIFESTS" "$BENCH_WORK/data" "$PORT"
rss_sampler "$PACKYARD_PID" "$RSS" 0.2
# packyard's CPU seconds every 0.2 s ("epoch cpu"), to split CPU between the sync and the publish (wall times suffer most
# from other load on this shared machine).
CPU_SAMPLES=$BENCH_WORK/cpu.txt
( while kill -0 "$PACKYARD_PID" 2>/dev/null; do echo "$(now) $(proc_cpu "$PACKYARD_PID")" >>"$CPU_SAMPLES"; sleep 0.2; done ) &
BENCH_PIDS+=($!)
cpu_at() { awk -v t="$1" '$1 <= t { c = $2 } END { print c + 0 }' "$CPU_SAMPLES"; } # packyard CPU s at epoch $1
log "packyard pid $PACKYARD_PID on $PACKYARD_URL, OnDemand sync of bookworm main/amd64 ($PACKAGES_TOTAL packages)"
wait_port "$PORT" 60
PUBLISHED='[.[] | select(.kind == "Repository") | .status | .lastSync.result == "Succeeded" and .publication.version == .latestVersion] == [true]
       and ([.[] | select(.kind == "Distribution") | .status.servedVersion // 0] | .[0] > 0)'
wait_for "$PUBLISHED" "$TIMEOUT" "the sync and publication"
T_READY=$(now)
HWM_1=$(vm_field "$PACKYARD_PID" VmHWM)
CPU_PACKYARD_1=$(proc_cpu "$PACKYARD_PID")
CPU_PG_1=$(postgres_cpu)
S1=$(repo_status bookworm)
SYNC_START=$(iso_to_epoch "$(jq -r .lastSync.startTime <<<"$S1")")
SYNC_END=$(iso_to_epoch "$(jq -r .lastSync.completionTime <<<"$S1")")
PUBLISHED_AT=$(iso_to_epoch "$(jq -r .publication.created <<<"$S1")")
SYNC_S=$(elapsed "$SYNC_START" "$SYNC_END")
PUBLISH_S=$(elapsed "$SYNC_END" "$PUBLISHED_AT")
TOTAL_S=$(elapsed "$SYNC_START" "$PUBLISHED_AT")
SYNC_CPU=$(awk -v a="$(cpu_at "$SYNC_START")" -v b="$(cpu_at "$SYNC_END")" 'BEGIN { printf "%.1f", b - a }')
PUBLISH_CPU=$(awk -v a="$(cpu_at "$SYNC_END")" -v b="$(cpu_at "$PUBLISHED_AT")" 'BEGIN { printf "%.1f", b - a }')
VERSION_1=$(jq -r .latestVersion <<<"$S1")
COUNT=$(jq -r .contentCount <<<"$S1")
[[ $COUNT == "$PACKAGES_TOTAL" ]] || log "WARNING: contentCount is $COUNT, the index has $PACKAGES_TOTAL stanzas"

# The publication as apt sees it: signed, and the Packages.xz it lists.
SERVED=$BENCH_WORK/served
mkdir -p "$SERVED"
curl -fsS -o "$SERVED/InRelease" "$PACKYARD_URL/bench/debian/dists/bookworm/InRelease"
gpg --batch -q --no-default-keyring --keyring "$BENCH_WORK/signing.gpg" --verify "$SERVED/InRelease" 2>/dev/null || die "the served InRelease does not verify"
curl -fsS -o "$SERVED/Packages.xz" "$PACKYARD_URL/bench/debian/dists/bookworm/main/binary-amd64/Packages.xz"
SERVED_PACKAGES=$(xz -dc "$SERVED/Packages.xz" | grep -c '^Package: ')
XZ_SIZE=$(stat -c %s "$SERVED/Packages.xz")

# --- unchanged re-sync ---
sleep 1
REQ="bench-$(date +%s%N)"
T_REQ=$(now)
write_manifests "$REQ"
wait_for "[.[] | select(.kind == \"Repository\") | .status.lastHandledRequest == \"$REQ\" and .status.lastSync.result == \"Succeeded\"] == [true]" "$TIMEOUT" "the re-sync"
T_REQ_DONE=$(now)
S2=$(repo_status bookworm)
RESYNC_S=$(elapsed "$(iso_to_epoch "$(jq -r .lastSync.startTime <<<"$S2")")" "$(iso_to_epoch "$(jq -r .lastSync.completionTime <<<"$S2")")")
RESYNC_WALL=$(elapsed "$T_REQ" "$T_REQ_DONE")
VERSION_2=$(jq -r .latestVersion <<<"$S2")
[[ $VERSION_1 == "$VERSION_2" ]] && UNCHANGED=yes || UNCHANGED="NO ($VERSION_1 -> $VERSION_2)"
HWM=$(vm_field "$PACKYARD_PID" VmHWM)
LOAD_PACKYARD=$(cut -d' ' -f1-3 /proc/loadavg)
kill "$PACKYARD_PID" 2>/dev/null || true

# --- apt-ftparchive: the same indices for the same packages ---
# apt-ftparchive reads .deb files, so each stanza becomes a minimal .deb (its control fields, an empty data.tar.gz) at its
# Filename in a pool (cached). `generate` with a cache database then renders Packages, .gz and .xz; `release` writes the
# Release, gpg signs it. The cold run reads every .deb; the warm run finds them in its cache db, as packyard finds its
# units in PostgreSQL: that one is the like-for-like figure. (The cache db is kept in BENCH_CACHE; FTP_COLD=1 redoes the cold run.)
FTP_COLD_S=- FTP_WARM_S=- FTP_COLD_CPU=- FTP_WARM_CPU=- FTP_XZ_SIZE=- FTP_PACKAGES=-
if [[ -z ${SKIP_FTPARCHIVE:-} ]]; then
    POOL=$BENCH_CACHE/deb-bookworm-pool
    if [[ ! -f $POOL/.complete ]]; then
        log "writing $PACKAGES_TOTAL minimal .deb files into $POOL (once; cached)"
        rm -rf "$POOL"
        python3 - "$UPSTREAM/dists/bookworm/main/binary-amd64/Packages" "$POOL" <<'EOF'
import io, os, sys, tarfile, time
index, root = sys.argv[1], sys.argv[2]
drop = {"Filename", "Size", "MD5sum", "SHA1", "SHA256", "SHA512", "Description-md5"}

def member(name, data):
    header = f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode()
    return header + data + (b"\n" if len(data) % 2 else b"")

def tar_gz(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.GNU_FORMAT) as tar:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()

empty_data = tar_gz([])
with open(index, encoding="utf-8") as f:
    stanzas = f.read().split("\n\n")
for stanza in stanzas:
    if not stanza.strip():
        continue
    fields, filename = [], None
    for line in stanza.split("\n"):
        if line[:1] in (" ", "\t"):
            if fields[-1] is not None:
                fields[-1] += "\n" + line
            continue
        key = line.split(":", 1)[0]
        if key == "Filename":
            filename = line.split(":", 1)[1].strip()
        fields.append(None if key in drop else line)
    control = ("\n".join(f for f in fields if f is not None) + "\n").encode()
    path = os.path.join(root, filename)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as deb:
        deb.write(b"!<arch>\n" + member("debian-binary", b"2.0\n") + member("control.tar.gz", tar_gz([("./control", control)]))
                  + member("data.tar.gz", empty_data))
open(os.path.join(root, ".complete"), "w").close()
EOF
    fi
    # A fixed folder: apt-ftparchive's cache db is keyed by absolute path.
    FTP=$BENCH_CACHE/deb-bookworm-ftparchive
    FTP_DB=$FTP/cache
    mkdir -p "$FTP/dists/bookworm/main/binary-amd64"
    ln -sfn "$POOL/pool" "$FTP/pool"
    cat >"$FTP/apt-ftparchive.conf" <<EOF
Dir { ArchiveDir "$FTP"; CacheDir "$FTP_DB"; };
Default { Packages::Compress ". gzip xz"; };
TreeDefault { Directory "pool/\$(SECTION)"; Packages "\$(DIST)/\$(SECTION)/binary-\$(ARCH)/Packages"; };
Tree "dists/bookworm" { Sections "main"; Architectures "amd64"; };
EOF
    ftparchive_run() {
        rm -f "$FTP"/dists/bookworm/main/binary-amd64/Packages* "$FTP"/dists/bookworm/{Release,InRelease,Release.gpg}
        apt-ftparchive -q=2 generate "$FTP/apt-ftparchive.conf" >/dev/null 2>"$FTP/generate.log"
        apt-ftparchive -q=2 -o APT::FTPArchive::Release::Codename=bookworm -o APT::FTPArchive::Release::Suite=bookworm \
            -o APT::FTPArchive::Release::Architectures=amd64 -o APT::FTPArchive::Release::Components=main \
            release "$FTP/dists/bookworm" >"$FTP/Release.tmp"
        mv "$FTP/Release.tmp" "$FTP/dists/bookworm/Release"
        gpg --batch -q --yes --clearsign -o "$FTP/dists/bookworm/InRelease" "$FTP/dists/bookworm/Release"
        gpg --batch -q --yes -abs -o "$FTP/dists/bookworm/Release.gpg" "$FTP/dists/bookworm/Release"
    }
    export -f ftparchive_run
    export FTP GNUPGHOME
    # "wall user sys" of a run and everything it started (apt-ftparchive compresses in child processes)
    # The cache database is kept in BENCH_CACHE: the cold run (every .deb read) happens once, or again with FTP_COLD=1.
    if [[ ! -d $FTP_DB || -n ${FTP_COLD:-} ]]; then
        rm -rf "$FTP_DB" && mkdir -p "$FTP_DB"
        read -r FTP_COLD_S FTP_COLD_U FTP_COLD_SYS < <(/usr/bin/time -f '%e %U %S' bash -c ftparchive_run 2>&1 >/dev/null | tail -1)
        FTP_COLD_CPU=$(awk -v u="$FTP_COLD_U" -v s="$FTP_COLD_SYS" 'BEGIN { printf "%.1f", u + s }')
    fi
    read -r FTP_WARM_S FTP_WARM_U FTP_WARM_SYS < <(/usr/bin/time -f '%e %U %S' bash -c ftparchive_run 2>&1 >/dev/null | tail -1)
    FTP_WARM_CPU=$(awk -v u="$FTP_WARM_U" -v s="$FTP_WARM_SYS" 'BEGIN { printf "%.1f", u + s }')
    FTP_PACKAGES=$(grep -c '^Package: ' "$FTP/dists/bookworm/main/binary-amd64/Packages")
    FTP_XZ_SIZE=$(stat -c %s "$FTP/dists/bookworm/main/binary-amd64/Packages.xz")
fi

echo
echo "== packyard deb benchmark: real bookworm main/amd64, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') =="
echo "upstream: nginx on 127.0.0.1 serving bookworm's InRelease and main/binary-amd64/Packages ($PACKAGES_TOTAL packages), verified with $KEYRING"
echo "load average: $LOAD_PACKYARD after packyard's runs, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
printf '%-44s %s\n' "packages (contentCount / served Packages.xz)" "$COUNT / $SERVED_PACKAGES"
printf '%-44s %s\n' "OnDemand sync s (lastSync start->end)" "$SYNC_S   (packyard CPU $SYNC_CPU s)"
printf '%-44s %s\n' "signed publish s (sync end->publication)" "$PUBLISH_S   (packyard CPU $PUBLISH_CPU s)"
printf '%-44s %s\n' "sync + publish s" "$TOTAL_S   (target < 60)"
printf '%-44s %s\n' "process start -> served" "$(elapsed "$T_START" "$T_READY") s"
printf '%-44s %s\n' "peak RSS MB (VmHWM) after sync+publish / end" "$(mb "$HWM_1") / $(mb "$HWM")   (target < 500)"
printf '%-44s %s\n' "CPU s after sync+publish (packyard/pg)" "$CPU_PACKYARD_1 / $CPU_PG_1"
printf '%-44s %s\n' "unchanged re-sync s (lastSync start->end)" "$RESYNC_S   (target < 10); $RESYNC_WALL s from manifest write to lastHandledRequest"
printf '%-44s %s\n' "latestVersion unchanged" "$UNCHANGED"
printf '%-44s %s\n' "Packages.xz bytes (packyard / apt-ftparchive)" "$XZ_SIZE / $FTP_XZ_SIZE"
printf '%-44s %s\n' "apt-ftparchive generate+release+sign s" "warm cache $FTP_WARM_S (CPU $FTP_WARM_CPU s), cold $FTP_COLD_S (CPU $FTP_COLD_CPU s); $FTP_PACKAGES packages"
echo
echo "| packages | sync s (CPU) | publish s (CPU) | sync+publish s | peak RSS MB | unchanged re-sync s | new version | apt-ftparchive warm s (CPU) | cold s (CPU) |"
echo "|---:|---:|---:|---:|---:|---:|---|---:|---:|"
echo "| $COUNT | $SYNC_S ($SYNC_CPU) | $PUBLISH_S ($PUBLISH_CPU) | $TOTAL_S | $(mb "$HWM") | $RESYNC_S | $([[ $UNCHANGED == yes ]] && echo no || echo YES) | $FTP_WARM_S ($FTP_WARM_CPU) | $FTP_COLD_S ($FTP_COLD_CPU) |"
