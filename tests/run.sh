#!/usr/bin/env bash
# Runs Packyard's whole test suite on a Debian machine with the .NET SDK: installs what the tests need
# (idempotently, quickly when present), builds with warnings as errors, runs every test, and ends with
# one line "N passed, N failed, N skipped" computed from the test results.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/tests/out"
rm -rf "$out" && mkdir -p "$out"

log() { printf '==> %s\n' "$*"; }

apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -o DPkg::Lock::Timeout=600 -qq || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# PostgreSQL server binaries (the tests start one private cluster per run).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
command -v runuser >/dev/null || apt_install util-linux
# Real peers the tests compare against or drive: compression tools, gpg, apt's archive tools, Python clients.
apt_install xz-utils zstd bzip2 lz4 gzip gnupg apt-utils dpkg-dev python3-venv python3-pip twine
# The S3 tests use moto_server (installed with the image's Python); fail loudly rather than skip.
if ! command -v moto_server >/dev/null; then
  if command -v pip3 >/dev/null && pip3 install -q 'moto[server]' >/dev/null 2>&1; then log "installed moto_server"; else
    echo "moto_server is required by the S3 tests and could not be installed" >&2; echo "0 passed, 1 failed"; exit 1; fi
fi
# The deb tests read Debian bookworm's real signed index from the machine's apt lists.
if ! ls /var/lib/apt/lists/*_dists_bookworm_main_binary-amd64_Packages* >/dev/null 2>&1; then
  log "fetching the apt lists (the deb tests use Debian's real bookworm index)"
  apt-get update -o DPkg::Lock::Timeout=600 -qq || true
fi
apt_install debian-archive-keyring
# The Argo CD health-check tests run config/argocd's Lua scripts with Lua 5.1 (Argo CD embeds gopher-lua, a Lua 5.1).
apt_install lua5.1
# The rpm tests build, sign and index real rpms (rpmbuild, rpmsign, createrepo_c) and install them with dnf in an install root.
apt_install rpm createrepo-c dnf dnf-plugins-core
# The container tests run Debian's reference registry (docker-registry, distribution 2.8) as an upstream, build images with
# umoci and drive skopeo, podman and buildah as clients (podman with vfs storage in a temporary --root: no fuse/overlay needed).
apt_install skopeo docker-registry umoci podman buildah
# The status page tests drive headless Chromium (screenshots at 1280 and 390 px, a click through the DevTools protocol).
apt_install chromium
# The Kubernetes tests run a real control plane (kube-apiserver, etcd, kube-controller-manager) and kubectl, v1.36.2, found
# the envtest way: $KUBEBUILDER_ASSETS names a folder holding them; else the xz-compressed copies in ../shared/envtest are
# unpacked once into $KUBEBUILDER_ASSETS or ~/.cache/packyard-envtest/v1.36.2 (the test fixture does the same, see
# tests/Packyard.Tests/Kubernetes/Envtest/EnvtestAssets.cs). That kubectl also comes first on PATH: no system kubectl needed.
envtest_version=v1.36.2
envtest_binaries=(kube-apiserver etcd kubectl kube-controller-manager)
envtest_complete() { local b; for b in "${envtest_binaries[@]}"; do [ -x "$1/$b" ] || return 1; done; }
if [ -z "${KUBEBUILDER_ASSETS:-}" ] || ! envtest_complete "$KUBEBUILDER_ASSETS"; then
  envtest_source=""
  for candidate in "$root/../shared/envtest" /work/shared/envtest; do
    envtest_source=$candidate
    for b in "${envtest_binaries[@]}"; do [ -f "$candidate/$b.xz" ] || envtest_source=""; done
    [ -n "$envtest_source" ] && break
  done
  if [ -z "$envtest_source" ]; then
    echo "The Kubernetes tests need kube-apiserver, etcd, kube-controller-manager and kubectl $envtest_version:" \
      "set KUBEBUILDER_ASSETS to a folder holding them (the envtest convention), or keep their xz-compressed copies" \
      "(kube-apiserver.xz, etcd.xz, kube-controller-manager.xz, kubectl.xz) in ../shared/envtest next to the repository." >&2
    echo "0 passed, 1 failed"; exit 1
  fi
  envtest_dir=${KUBEBUILDER_ASSETS:-${HOME:-/tmp}/.cache/packyard-envtest/$envtest_version}
  mkdir -p "$envtest_dir"
  for b in "${envtest_binaries[@]}"; do
    [ -x "$envtest_dir/$b" ] && continue
    log "unpacking $b $envtest_version into $envtest_dir"
    # Beside the target, then renamed into place: a concurrent run never sees half a binary.
    if ! { xz -dc "$envtest_source/$b.xz" > "$envtest_dir/$b.$$.tmp" && chmod +x "$envtest_dir/$b.$$.tmp" && mv -f "$envtest_dir/$b.$$.tmp" "$envtest_dir/$b"; }; then
      rm -f "$envtest_dir/$b.$$.tmp"
      echo "unpacking $envtest_source/$b.xz into $envtest_dir failed" >&2; echo "0 passed, 1 failed"; exit 1
    fi
  done
  export KUBEBUILDER_ASSETS=$envtest_dir
fi
export PATH="$KUBEBUILDER_ASSETS:$PATH"
log "Kubernetes $envtest_version binaries: $KUBEBUILDER_ASSETS"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log "building"
if ! dotnet build Operator.sln -c Debug -nologo -clp:ErrorsOnly > "$out/build.log" 2>&1; then
  cat "$out/build.log"
  echo "build failed: no tests ran"
  echo "0 passed, 0 failed"
  exit 1
fi

log "testing"
dotnet test Operator.sln --no-build -c Debug -nologo \
  --logger "trx;LogFilePrefix=results" --logger "console;verbosity=normal" \
  --results-directory "$out" --blame-hang-timeout 10m 2>&1 | tee "$out/test.log" |
  # Failures with their message (its first 40 lines) and stack; the whole output stays in tests/out/test.log.
  awk '/Error Message/ {m=1; n=0; print; next} /Stack Trace/ {m=0} m {if (n++ < 40) print; next}
       /^[[:space:]]+(Failed|Skipped) |^[[:space:]]+at |Total tests|Passed!|Failed!/ {print}' || true

passed=0; failed=0; skipped=0; found=0
for trx in "$out"/*.trx; do
  [ -f "$trx" ] || continue
  found=1
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
  a=$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${total:-0} - ${p:-0} - ${f:-0} - ${e:-0} - ${t:-0} - ${a:-0}))
done
if [ "$found" = 0 ]; then
  tail -50 "$out/test.log"
  echo "no test results were written"
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
