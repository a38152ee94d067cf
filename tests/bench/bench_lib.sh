# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# bench_lib.sh - what the run-*-bench.sh scripts share, sourced by each:
#
#   . "$(dirname "$0")/bench_lib.sh"
#   bench_setup NAME "${1:-.}"
#
# bench_setup sets BUILD, SRC, CONNECTD and WORK (a fresh directory
# /tmp/connectd-NAME.XXXXXX) and installs an EXIT trap that stops whatever
# BROKER_PID, WORKER_PID, WRK_PID and SERVER_PID name and removes WORK.  Then: free
# ports, the clock, /proc readings, the medians and ratios of the tables,
# the numbered input file, a `connectd broker`, and a `connectd standalone`
# worker streaming $WORK/in.txt through FileStreamSource -> topic ->
# FileStreamSink into $WORK/out.txt.  Bash only; the scripts run under
# `set -euo pipefail`.

BROKER_PID=
WORKER_PID=
WRK_PID=
SERVER_PID=

# bench_setup NAME BUILD_DIR
bench_setup() {
    BUILD=$(cd "$2" && pwd)
    SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    CONNECTD=$BUILD/src/connectd
    WORK=$(mktemp -d "/tmp/connectd-$1.XXXXXX")
    trap bench_cleanup EXIT
}

bench_cleanup() {
    local pid
    for pid in "$WRK_PID" "$SERVER_PID" "$WORKER_PID" "$BROKER_PID"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    rm -rf "$WORK"
}

# bench_build NAME [CFLAGS...]: compiles tests/bench/NAME.c to $WORK/NAME,
# with lib/'s clock.
bench_build() {
    gcc -O2 -I"$SRC/lib" "${@:2}" -o "$WORK/$1" "$SRC/tests/bench/$1.c" "$SRC/lib/clock.c" -lrdkafka
}

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

now() { date +%s.%N; }
# seconds_since T0 [DECIMALS]: seconds from T0 (a `now`) to now.
seconds_since() { awk -v a="$1" -v b="$(now)" -v d="${2:-3}" 'BEGIN { printf "%.*f", d, b - a }'; }
# utime+stime of a process in seconds.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

field() { # field NAME "k=v k=v ..."
    tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'
}
# The median of the numbers on stdin, one per line.
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# mibps BYTES SECS; per_second COUNT SECS
mibps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1048576 }'; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

# make_file LINE_BYTES: $WORK/in.txt of numbered, fixed-width lines
# totalling SIZE_MB MiB.
make_file() {
    local width=$(($1 - 1)) lines=$((SIZE_MB * 1048576 / $1))
    awk -v n="$lines" -v w="$width" 'BEGIN { fmt = "%0" w "d\n"; for (i = 0; i < n; i++) printf fmt, i }' \
        >"$WORK/in.txt"
}

# start_broker PARTITIONS [KEY=VALUE...]: a fresh `connectd broker` on PORT,
# BROKER_PID, with those broker keys overridden; returns once it accepts
# connections.
start_broker() {
    PORT=$(free_port)
    rm -rf "$WORK/data"
    local extra=() kv
    for kv in "${@:2}"; do
        extra+=(--override "$kv")
    done
    "$CONNECTD" broker "$SRC/etc/broker.properties" \
        --override "listeners=PLAINTEXT://127.0.0.1:$PORT" --override "log.dirs=$WORK/data" \
        --override "num.partitions=$1" "${extra[@]}" 2>"$WORK/broker.log" &
    BROKER_PID=$!
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "broker did not start:" >&2
    cat "$WORK/broker.log" >&2
    exit 1
}

stop_broker() {
    kill "$BROKER_PID"
    wait "$BROKER_PID" || true
    BROKER_PID=
}

# write_connectors: $WORK/source.properties and $WORK/sink.properties, the
# file pipeline's connectors; a caller may append to them before starting.
write_connectors() {
    cat >"$WORK/source.properties" <<EOF
name=bench-source
connector.class=FileStreamSource
file=$WORK/in.txt
topic=bench
batch.size=2000
EOF
    cat >"$WORK/sink.properties" <<EOF
name=bench-sink
connector.class=FileStreamSink
file=$WORK/out.txt
topics=bench
EOF
}

# start_worker CONVERTER [idle]: a fresh `connectd standalone` with its
# embedded broker on BROKER_PORT, REST on REST_PORT, running the connectors
# write_connectors wrote (none if "idle"); WORKER_PID.  WORKER_ENV (e.g.
# "GLIBC_TUNABLES=...") is put in its environment.
start_worker() {
    BROKER_PORT=$(free_port)
    REST_PORT=$(free_port)
    rm -rf "$WORK/data" "$WORK/out.txt"
    local connectors=("$WORK/source.properties" "$WORK/sink.properties")
    [ "${2:-}" = idle ] && connectors=()
    # shellcheck disable=SC2086 # WORKER_ENV is a list of NAME=value words
    env ${WORKER_ENV:-} "$CONNECTD" standalone "$SRC/etc/connect-standalone.properties" "${connectors[@]}" \
        --override "broker.listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT" --override "broker.log.dirs=$WORK/data" \
        --override "listeners=http://127.0.0.1:$REST_PORT" --override "file.connectors.allowed.paths=$WORK" \
        --override "key.converter=$1" --override "value.converter=$1" 2>"$WORK/worker.log" &
    WORKER_PID=$!
}

stop_worker() {
    kill "$WORKER_PID"
    wait "$WORKER_PID" || true
    WORKER_PID=
}

# Exits, with the worker's log, if the worker died or one of its tasks failed.
worker_alive() {
    if ! kill -0 "$WORKER_PID" 2>/dev/null; then
        echo "worker died:" >&2
        cat "$WORK/worker.log" >&2
        exit 1
    fi
    if grep -q "ERROR task .* failed:" "$WORK/worker.log"; then
        echo "a task failed:" >&2
        grep "ERROR" "$WORK/worker.log" | head -5 >&2
        exit 1
    fi
}

# wait_sink BYTES: until $WORK/out.txt holds BYTES.
wait_sink() {
    while [ "$(file_size "$WORK/out.txt")" -lt "$1" ]; do
        worker_alive
        sleep 0.05
    done
}

# check_output LABEL: the sink's file must equal the source's.
check_output() {
    cmp -s "$WORK/in.txt" "$WORK/out.txt" || { echo "output differs from input ($1)" >&2; exit 1; }
}

# run_pipeline CONVERTER LABEL: one worker streaming $WORK/in.txt with the
# connectors write_connectors wrote, timed from its start until the sink's
# file has every byte; sets PIPELINE_SECS and PIPELINE_CPU (the worker's CPU
# seconds).  Not in a subshell, so the EXIT trap still sees WORKER_PID if
# the run fails.
run_pipeline() {
    local size t0
    size=$(file_size "$WORK/in.txt")
    t0=$(now)
    start_worker "$1"
    wait_sink "$size"
    PIPELINE_SECS=$(seconds_since "$t0")
    PIPELINE_CPU=$(cpu_seconds "$WORKER_PID")
    stop_worker
    check_output "$2"
}
