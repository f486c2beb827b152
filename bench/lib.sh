# Shared helpers for the bench/ scripts (sourced, not run). Everything listens on 127.0.0.1 only.
# Each script calls bench_init first; bench_cleanup (trap on EXIT) stops every process it started, by pid.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_CACHE=${BENCH_CACHE:-/tmp/packyard-bench-cache}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
BENCH_PIDS=()
BENCH_PG_DATA=""

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
# seconds between two `now` values, 2 decimals
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

bench_install() {
    local missing=()
    for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
    ((${#missing[@]} == 0)) && return 0
    local pkgs=()
    for tool in "${missing[@]}"; do
        case $tool in
            nginx) pkgs+=(nginx-light) ;;
            *) pkgs+=("$tool") ;;
        esac
    done
    log "installing ${pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${pkgs[@]}" >/dev/null \
        || { apt-get update -o DPkg::Lock::Timeout=600 >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${pkgs[@]}" >/dev/null; }
}

bench_init() {
    [[ $(id -u) == 0 ]] || die "run as root (PostgreSQL runs through runuser -u postgres)"
    bench_install nginx wrk curl jq
    [[ -x $PGBIN/initdb ]] || die "PostgreSQL 15 server binaries not found in $PGBIN"
    BENCH_WORK=$(mktemp -d /tmp/packyard-bench.XXXXXX)
    chmod 755 "$BENCH_WORK"
    mkdir -p "$BENCH_CACHE"
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_cleanup() {
    local pid
    for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${BENCH_PIDS[i]}
        kill "$pid" 2>/dev/null && for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [[ -n $BENCH_PG_DATA && -f $BENCH_PG_DATA/postmaster.pid ]]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$BENCH_PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [[ -n ${BENCH_WORK:-} && -z ${BENCH_KEEP:-} ]]; then rm -rf "$BENCH_WORK"; fi
    [[ -n ${BENCH_KEEP:-} ]] && log "kept $BENCH_WORK"
    return 0
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_port() { # wait_port PORT SECONDS
    local deadline=$((SECONDS + $2))
    until (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        ((SECONDS < deadline)) || die "nothing listens on 127.0.0.1:$1 after $2 s"
        sleep 0.1
    done
}

# Release build of the operator (skipped with PACKYARD_DLL=path or BENCH_NO_BUILD=1). Retries once: the tree is shared.
PACKYARD_DLL=${PACKYARD_DLL:-$BENCH_ROOT/operator/Packyard/bin/Release/net10.0/packyard.dll}
bench_build() {
    if [[ -n ${BENCH_NO_BUILD:-} && -f $PACKYARD_DLL ]]; then return 0; fi
    log "dotnet build -c Release operator/Packyard"
    local attempt
    for attempt in 1 2 3; do
        if dotnet build -c Release "$BENCH_ROOT/operator/Packyard" -nologo -v q >"$BENCH_WORK/build.log" 2>&1; then return 0; fi
        log "build failed (attempt $attempt), retrying in 60 s; see $BENCH_WORK/build.log"
        tail -5 "$BENCH_WORK/build.log" >&2
        sleep 60
    done
    die "Release build failed"
}

# A throwaway PostgreSQL cluster with the same settings as packyard's embedded one (durable: fsync,
# full_page_writes and synchronous_commit on). BENCH_UNSAFE_NO_FSYNC=1 turns durability off, to measure its cost.
# Sets BENCH_DB.
bench_postgres() {
    local dir=$BENCH_WORK/pg port durability=""
    BENCH_PG_DURABILITY="durable as packyard's embedded one: fsync, full_page_writes, synchronous_commit on"
    if [[ -n ${BENCH_UNSAFE_NO_FSYNC:-} ]]; then
        durability=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        BENCH_PG_DURABILITY="BENCH_UNSAFE_NO_FSYNC: fsync, full_page_writes, synchronous_commit off"
    fi
    port=$(free_port)
    mkdir -p "$dir" && chown postgres: "$dir"
    BENCH_PG_DATA=$dir/data
    runuser -u postgres -- "$PGBIN/initdb" -D "$BENCH_PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$BENCH_WORK/initdb.log" 2>&1 \
        || die "initdb failed: $(tail -3 "$BENCH_WORK/initdb.log")"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$BENCH_PG_DATA" -l "$dir/log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir$durability -c max_connections=300 -c shared_buffers=128MB${PG_STATS:+ -c shared_preload_libraries=pg_stat_statements,auto_explain -c pg_stat_statements.track=all -c auto_explain.log_min_duration=1000 -c auto_explain.log_analyze=on}" \
        start >/dev/null || die "postgres did not start: $(tail -5 "$dir/log")"
    runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres packyard
    if [[ -n ${PG_STATS:-} ]]; then psql -qX -h 127.0.0.1 -p "$port" -U postgres -d packyard -c 'CREATE EXTENSION pg_stat_statements' >/dev/null; fi
    BENCH_DB="Host=127.0.0.1;Port=$port;Username=postgres;Database=packyard"
    BENCH_PG_PORT=$port
}

# Sum of utime+stime (seconds) of the postgres cluster's processes (postmaster and its children).
postgres_cpu() {
    [[ -f $BENCH_PG_DATA/postmaster.pid ]] || { echo 0; return; }
    local master ticks=0 p
    master=$(head -1 "$BENCH_PG_DATA/postmaster.pid")
    for p in $master $(pgrep -P "$master"); do
        ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }'
}

proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# nginx serving ROOT on 127.0.0.1:PORT with sendfile, no access log. bench_nginx NAME ROOT PORT
bench_nginx() {
    local name=$1 root=$2 port=$3 prefix=$BENCH_WORK/nginx-$1
    mkdir -p "$prefix/logs" "$prefix/tmp"
    cat >"$prefix/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    default_type application/octet-stream;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $root;
    }
}
EOF
    nginx -p "$prefix" -c "$prefix/nginx.conf" 2>"$prefix/logs/stderr.log" &
    BENCH_PIDS+=($!)
    wait_port "$port" 10
}

# Starts packyard run; sets PACKYARD_PID, PACKYARD_URL, PACKYARD_LOG. bench_packyard MANIFESTS DATA PORT
bench_packyard() {
    local manifests=$1 data=$2 port=$3
    PACKYARD_LOG=$BENCH_WORK/packyard.log
    PACKYARD_URL=http://127.0.0.1:$port
    # A wide terminal for Spectre.Console so log lines are not wrapped.
    COLUMNS=250 DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$PACKYARD_DLL" run --manifests "$manifests" --data-dir "$data" \
        --listen "127.0.0.1:$port" --database "$BENCH_DB" --interval 1h >"$PACKYARD_LOG" 2>&1 &
    PACKYARD_PID=$!
    BENCH_PIDS+=("$PACKYARD_PID")
}

# Samples VmRSS (kB) of PID every INTERVAL seconds into FILE until the process exits. Starts in background.
rss_sampler() { # rss_sampler PID FILE INTERVAL
    local pid=$1 file=$2 interval=$3
    (
        while kill -0 "$pid" 2>/dev/null; do
            awk -v t="$(date +%s.%N)" '/^VmRSS:/ { print t, $2 }' "/proc/$pid/status" 2>/dev/null >>"$file" || true
            sleep "$interval"
        done
    ) &
    BENCH_PIDS+=($!)
}

vm_field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; } # vm_field PID VmHWM -> kB
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
max_rss_between() { # FILE FROM TO -> kB
    awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b && $2 > m { m = $2 } END { print m + 0 }' "$1"
}

resources() { curl -fsS "$PACKYARD_URL/api/v1/resources"; }
repo_status() { resources | jq -c --arg n "$1" '.[] | select(.kind == "Repository" and .name == $n) | .status'; }
iso_to_epoch() { date -d "$1" +%s.%N; }

# Waits until jq FILTER on the resources JSON prints true. wait_for FILTER SECONDS WHAT
wait_for() {
    local filter=$1 deadline=$((SECONDS + $2)) out
    while ((SECONDS < deadline)); do
        kill -0 "$PACKYARD_PID" 2>/dev/null || { tail -30 "$PACKYARD_LOG" >&2; die "packyard exited while waiting for $3"; }
        out=$(resources 2>/dev/null | jq -r "$filter" 2>/dev/null || true)
        [[ $out == true ]] && return 0
        sleep 0.2
    done
    tail -30 "$PACKYARD_LOG" >&2
    resources | jq . >&2 || true
    die "timed out after $2 s waiting for $3"
}

# With PG_STATS=1: the statements that took the most time in the packyard database (pg_stat_statements).
pg_top_statements() { # pg_top_statements LIMIT
    [[ -n ${PG_STATS:-} ]] || return 0
    echo "top statements by total time (pg_stat_statements; PG_STATS=1):"
    psql -X -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres -d packyard -P pager=off -c "
        SELECT calls, round(total_exec_time::numeric, 0) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms, rows,
               left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'packyard')
        ORDER BY total_exec_time DESC LIMIT $1" | sed 's/^/  /'
    psql -X -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres -d packyard -Atc "
        SELECT 'all statements: ' || sum(calls) || ' calls, ' || round(sum(total_exec_time)::numeric) || ' ms'
        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'packyard')" | sed 's/^/  /'
}
pg_reset_statements() { [[ -n ${PG_STATS:-} ]] && psql -qX -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres -d packyard -c 'SELECT pg_stat_statements_reset()' >/dev/null; return 0; }

# With PG_STATS=1: EXPLAIN ANALYZE plans (auto_explain) of statements slower than 1 s, from the cluster's log.
pg_slow_plans() {
    [[ -n ${PG_STATS:-} ]] || return 0
    local logf=$BENCH_WORK/pg/log
    grep -q 'duration: .* plan:' "$logf" 2>/dev/null || { echo "  (no statement took over 1 s)"; return 0; }
    awk '/LOG:  duration: .* plan:/ { p = 1; n = 0 } p && n < 28 { print "  " $0; n++ } /^[0-9-]+ [0-9:.]+ [A-Z]+ \[/ && !/plan:/ { p = 0 }' "$logf"
}

# CPU ticks per thread name of PID ("name ticks" lines; comm may contain spaces, so parse stat after the ")").
thread_ticks() {
    local t
    for t in /proc/"$1"/task/*; do
        printf '%s %s\n' "$(tr ' ' _ <"$t/comm" 2>/dev/null)" "$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{ print $12 + $13 }')"
    done | awk 'NF == 2 { s[$1] += $2 } END { for (n in s) print n, s[n] }'
}
# thread_delta BEFORE AFTER -> "name cpu-seconds" for names that used CPU, busiest first
thread_delta() {
    awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { a[$1] = $2; next } { d = $2 - a[$1]; if (d > 0) printf "%s %.1f\n", $1, d / hz }' "$1" "$2" | sort -k2 -rn
}

# jq over GET /api/v1/resources: the one Repository and one Distribution are Ready and the Repository's last sync succeeded.
# shellcheck disable=SC2034  # used by the scripts that source this file
READY_ONE_REPOSITORY_AND_DISTRIBUTION='[.[] | select(.kind == "Repository" or .kind == "Distribution")] as $r | ($r | length) == 2
  and ($r | all(.status.conditions // [] | any(.type == "Ready" and .status == "True")))
  and ([.[] | select(.kind == "Repository") | .status.lastSync.result] == ["Succeeded"])'
