#!/bin/bash
# run-pipeline-bench.sh - the standalone file pipeline (issue 4) against
# `cp` of the same file in the same run.
#
#   tests/bench/run-pipeline-bench.sh [BUILD_DIR]     (default: the current directory)
#
# For 100 B lines and for 1 KB lines: a file of SIZE_MB (default 1024) MiB,
# copied once with cp (the baseline; page cache warm), then streamed by
# `connectd standalone` with its embedded broker, FileStreamSource ->
# topic -> FileStreamSink, once with StringConverter and once with
# JsonConverter (schemas.enable=true).  The clock runs from the worker's
# start until the sink file has every byte; the output is compared with
# cmp.  Reports MB/s, lines/s, worker CPU seconds and the ratio to cp, and
# the idle worker's RSS and time to answer REST.  Never fails on a number.
set -euo pipefail

BUILD=${1:-.}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CONNECTD=$BUILD/src/connectd
SIZE_MB=${SIZE_MB:-1024}
WORK=$(mktemp -d /tmp/connectd-pipeline-bench.XXXXXX)
WORKER_PID=

cleanup() {
    [ -n "$WORKER_PID" ] && kill "$WORKER_PID" 2>/dev/null && wait "$WORKER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
now() { date +%s.%N; }
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# make_file LINE_BYTES: numbered, fixed-width lines totalling SIZE_MB MiB.
make_file() {
    local width=$(($1 - 1)) lines=$((SIZE_MB * 1048576 / $1))
    awk -v n="$lines" -v w="$width" 'BEGIN { fmt = "%0" w "d\n"; for (i = 0; i < n; i++) printf fmt, i }' \
        >"$WORK/in.txt"
}

start_worker() { # start_worker CONVERTER [idle]
    BROKER_PORT=$(free_port)
    REST_PORT=$(free_port)
    rm -rf "$WORK/data" "$WORK/out.txt"
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
    local connectors=("$WORK/source.properties" "$WORK/sink.properties")
    [ "${2:-}" = idle ] && connectors=()
    "$CONNECTD" standalone "$SRC/etc/connect-standalone.properties" "${connectors[@]}" \
        --override "broker.listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT" --override "broker.log.dirs=$WORK/data" \
        --override "listeners=http://127.0.0.1:$REST_PORT" \
        --override "key.converter=$1" --override "value.converter=$1" 2>"$WORK/worker.log" &
    WORKER_PID=$!
}

stop_worker() {
    kill "$WORKER_PID"
    wait "$WORKER_PID" || true
    WORKER_PID=
}

# run_pipeline CONVERTER -> "secs cpu"
run_pipeline() {
    local size t0 t1 cpu
    size=$(stat -c %s "$WORK/in.txt")
    t0=$(now)
    start_worker "$1"
    while [ "$(stat -c %s "$WORK/out.txt" 2>/dev/null || echo 0)" -lt "$size" ]; do
        if ! kill -0 "$WORKER_PID" 2>/dev/null; then
            echo "worker died:" >&2
            cat "$WORK/worker.log" >&2
            exit 1
        fi
        sleep 0.05
    done
    t1=$(now)
    cpu=$(cpu_seconds "$WORKER_PID")
    stop_worker
    cmp -s "$WORK/in.txt" "$WORK/out.txt" || { echo "output differs from input ($1)" >&2; exit 1; }
    awk -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN { printf "%.3f %s\n", b - a, c }'
}

rows=()
for line in 100 1024; do
    make_file "$line"
    size=$(stat -c %s "$WORK/in.txt")
    lines=$((size / line))
    cat "$WORK/in.txt" >/dev/null
    t0=$(now)
    cp "$WORK/in.txt" "$WORK/cp.txt"
    sync "$WORK/cp.txt"
    cp_secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
    rm -f "$WORK/cp.txt"
    for conv in org.apache.kafka.connect.storage.StringConverter org.apache.kafka.connect.json.JsonConverter; do
        read -r secs cpu < <(run_pipeline "$conv")
        rows+=("| ${line} B lines, ${conv##*.} | $(mbps "$size" "$secs") | $(awk -v l="$lines" -v s="$secs" 'BEGIN { printf "%.0f", l / s }') | $cpu | $(mbps "$size" "$cp_secs") | $(ratio "$cp_secs" "$secs") |")
    done
done

# Idle worker: RSS, and how soon REST answers after the process starts.
t0=$(now)
start_worker org.apache.kafka.connect.storage.StringConverter idle
until curl -sf "http://127.0.0.1:$REST_PORT/" >/dev/null 2>&1; do sleep 0.01; done
rest_secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
sleep 2
idle_rss=$(rss_mb "$WORKER_PID")
stop_worker

echo "| pipeline (${SIZE_MB} MiB file) | MiB/s | lines/s | worker CPU s | cp MiB/s | vs cp | "
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "| idle standalone worker with embedded broker | value | goal |"
echo "|---|---|---|"
echo "| RSS | $idle_rss MB | ≤ 40 MB |"
echo "| REST answering after start | $rest_secs s | ≤ 1 s |"
echo
echo "Goal: ≥ 150 MiB/s or ≥ 0.1× cp with StringConverter. $(nproc) cores; $(date -u +%Y-%m-%d)."
