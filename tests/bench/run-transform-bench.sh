#!/bin/bash
# run-transform-bench.sh - the standalone file pipeline with a chain of three
# transforms against the same pipeline without, in the same run (issue 6).
#
#   tests/bench/run-transform-bench.sh [BUILD_DIR]     (default: the current directory)
#
# For 100 B lines and for 1 KB lines: a file of SIZE_MB (default 1024) MiB
# streamed by `connectd standalone` with its embedded broker,
# FileStreamSource -> topic -> FileStreamSink, StringConverter, once plain
# and once with the source's transforms
#
#   HoistField$Value (field=line)  -> {"line": "<the line>"}
#   InsertField$Value (static.field=origin, static.value=bench)
#   ExtractField$Value (field=line) -> "<the line>" again
#
# so the sink's file must equal the input (checked with cmp) while every
# record went through three transforms that build and take apart a map.
# The clock runs from the worker's start until the sink file has every
# byte.  Reports MiB/s, lines/s, worker CPU seconds and the ratio of the
# chain to the plain pipeline (goal: >= 0.7).  Never fails on a number.
set -euo pipefail

BUILD=${1:-.}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CONNECTD=$BUILD/src/connectd
SIZE_MB=${SIZE_MB:-1024}
WORK=$(mktemp -d /tmp/connectd-transform-bench.XXXXXX)
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
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# make_file LINE_BYTES: numbered, fixed-width lines totalling SIZE_MB MiB.
make_file() {
    local width=$(($1 - 1)) lines=$((SIZE_MB * 1048576 / $1))
    awk -v n="$lines" -v w="$width" 'BEGIN { fmt = "%0" w "d\n"; for (i = 0; i < n; i++) printf fmt, i }' \
        >"$WORK/in.txt"
}

start_worker() { # start_worker plain|chain
    local broker_port rest_port
    broker_port=$(free_port)
    rest_port=$(free_port)
    rm -rf "$WORK/data" "$WORK/out.txt"
    cat >"$WORK/source.properties" <<EOF
name=bench-source
connector.class=FileStreamSource
file=$WORK/in.txt
topic=bench
batch.size=2000
EOF
    if [ "$1" = chain ]; then
        cat >>"$WORK/source.properties" <<'EOF'
transforms=hoist,stamp,extract
transforms.hoist.type=org.apache.kafka.connect.transforms.HoistField$Value
transforms.hoist.field=line
transforms.stamp.type=org.apache.kafka.connect.transforms.InsertField$Value
transforms.stamp.static.field=origin
transforms.stamp.static.value=bench
transforms.extract.type=org.apache.kafka.connect.transforms.ExtractField$Value
transforms.extract.field=line
EOF
    fi
    cat >"$WORK/sink.properties" <<EOF
name=bench-sink
connector.class=FileStreamSink
file=$WORK/out.txt
topics=bench
EOF
    local conv=org.apache.kafka.connect.storage.StringConverter
    "$CONNECTD" standalone "$SRC/etc/connect-standalone.properties" "$WORK/source.properties" \
        "$WORK/sink.properties" \
        --override "broker.listeners=PLAINTEXT://127.0.0.1:$broker_port" --override "broker.log.dirs=$WORK/data" \
        --override "listeners=http://127.0.0.1:$rest_port" \
        --override "key.converter=$conv" --override "value.converter=$conv" 2>"$WORK/worker.log" &
    WORKER_PID=$!
}

stop_worker() {
    kill "$WORKER_PID"
    wait "$WORKER_PID" || true
    WORKER_PID=
}

# run_pipeline plain|chain -> "secs cpu"
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
        if grep -q "ERROR task .* failed:" "$WORK/worker.log"; then
            echo "a task failed ($1):" >&2
            grep "ERROR" "$WORK/worker.log" | head -5 >&2
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
    read -r plain_secs plain_cpu < <(run_pipeline plain)
    read -r chain_secs chain_cpu < <(run_pipeline chain)
    rows+=("| ${line} B lines | $(mbps "$size" "$plain_secs") | $(awk -v l="$lines" -v s="$plain_secs" 'BEGIN { printf "%.0f", l / s }') | $plain_cpu | $(mbps "$size" "$chain_secs") | $(awk -v l="$lines" -v s="$chain_secs" 'BEGIN { printf "%.0f", l / s }') | $chain_cpu | $(ratio "$plain_secs" "$chain_secs") |")
done

echo "| file pipeline (${SIZE_MB} MiB, StringConverter) | plain MiB/s | plain lines/s | plain CPU s | 3 transforms MiB/s | 3 transforms lines/s | 3 transforms CPU s | chain / plain |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Goal: chain / plain >= 0.7. Chain: HoistField\$Value, InsertField\$Value, ExtractField\$Value on the source. $(nproc) cores; $(date -u +%Y-%m-%d)."
