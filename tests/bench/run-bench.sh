#!/bin/bash
# run-bench.sh - broker benchmarks, each against a baseline in the same run.
#
#   tests/bench/run-bench.sh [BUILD_DIR]      (default: the current directory)
#
# Workloads (issue 2): produce and consume of 100 B and 1 KB records with
# librdkafka (tests/bench/loadgen.c), against a real `connectd broker` and
# against librdkafka's in-process mock cluster (the client-bound ceiling);
# runs are interleaved A B A B and the median of REPS is reported, as
# reference/performance.md §5.3 recommends for a noisy 2-core VM.  Also:
# broker CPU seconds, write amplification (bytes the broker wrote / payload
# bytes, from /proc/PID/io), produce latency at a fixed 10k msg/s, idle RSS
# and RSS with 1,000 partitions.  Prints a markdown table.  A benchmark,
# never a test: nothing here fails on a number.
set -euo pipefail

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_setup bench "${1:-.}"
REPS=${REPS:-3}
COUNT_100=${COUNT_100:-2000000}
COUNT_1K=${COUNT_1K:-500000}
LOADGEN=$WORK/loadgen

bench_build loadgen

write_bytes() {
    awk '/^write_bytes/ { print $2 }' "/proc/$1/io"
}

declare -A RESULT

# One interleaved round: mock then connectd, produce then consume.
bench_size() {
    local size=$1 count=$2
    local mp=() mc=() op=() oc=() cpu=() amp=()
    for _ in $(seq "$REPS"); do
        local out
        out=$("$LOADGEN" mock produce -t bench -s "$size" -c "$count" -X isolation.level=read_uncommitted 2>/dev/null)
        mp+=("$(field msgs_per_s "$(grep mode=produce <<<"$out")")")
        mc+=("$(field msgs_per_s "$(grep mode=consume <<<"$out")")")

        start_broker 1
        local cpu0 wb0
        cpu0=$(cpu_seconds "$BROKER_PID")
        wb0=$(write_bytes "$BROKER_PID")
        out=$("$LOADGEN" produce -b "127.0.0.1:$PORT" -t bench -s "$size" -c "$count" 2>/dev/null)
        op+=("$(field msgs_per_s "$out")")
        local cpu1 wb1
        cpu1=$(cpu_seconds "$BROKER_PID")
        wb1=$(write_bytes "$BROKER_PID")
        cpu+=("$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')")
        amp+=("$(awk -v w="$((wb1 - wb0))" -v p="$((size * count))" 'BEGIN { printf "%.3f", w / p }')")
        out=$("$LOADGEN" consume -b "127.0.0.1:$PORT" -t bench -c "$count" 2>/dev/null)
        oc+=("$(field msgs_per_s "$out")")
        stop_broker
    done
    echo "bench: $size B: mock ${mp[*]} / ${mc[*]}; connectd ${op[*]} / ${oc[*]}; cpu ${cpu[*]}; amp ${amp[*]}" >&2
    RESULT[$size.mock_p]=$(printf '%s\n' "${mp[@]}" | median)
    RESULT[$size.mock_c]=$(printf '%s\n' "${mc[@]}" | median)
    RESULT[$size.ours_p]=$(printf '%s\n' "${op[@]}" | median)
    RESULT[$size.ours_c]=$(printf '%s\n' "${oc[@]}" | median)
    RESULT[$size.cpu]=$(printf '%s\n' "${cpu[@]}" | median)
    RESULT[$size.amp]=$(printf '%s\n' "${amp[@]}" | median)
}

# mbps MSGS_PER_S RECORD_BYTES
mbps() { awk -v m="$1" -v s="$2" 'BEGIN { printf "%.1f", m * s / 1e6 }'; }

bench_size 100 "$COUNT_100"
bench_size 1024 "$COUNT_1K"

# Latency at a fixed 10k msg/s, acks=1, 1 KB, 16 partitions.
start_broker 1
"$LOADGEN" produce -b "127.0.0.1:$PORT" -t lat -s 1024 -c 1 -X topic.metadata.refresh.interval.ms=1000 >/dev/null 2>&1 || true
LAT=$("$LOADGEN" latency -b "127.0.0.1:$PORT" -t lat -s 1024 -r 10000 -d 5 -a 1 2>/dev/null)
MOCK_LAT=$("$LOADGEN" mock latency -t lat -s 1024 -r 10000 -d 5 -a 1 2>/dev/null)
IDLE_RSS=$(rss_mb "$BROKER_PID")
stop_broker

# RSS with 1,000 partitions open (one topic, one record in each).
start_broker 1
/usr/bin/python3 - "$PORT" <<'EOF'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka import Producer
b = "127.0.0.1:" + sys.argv[1]
admin = AdminClient({"bootstrap.servers": b})  # must outlive the future
admin.create_topics([NewTopic("wide", 1000, 1)])["wide"].result(60)
p = Producer({"bootstrap.servers": b})
for i in range(1000):
    p.produce("wide", b"x", partition=i)
p.flush(60)
EOF
WIDE_RSS=$(rss_mb "$BROKER_PID")
stop_broker

cat <<EOF
| workload | connectd msgs/s | connectd MB/s | mock msgs/s | ratio | goal |
|---|---|---|---|---|---|
| produce 100 B, acks=1 | ${RESULT[100.ours_p]} | $(mbps "${RESULT[100.ours_p]}" 100) | ${RESULT[100.mock_p]} | $(ratio "${RESULT[100.ours_p]}" "${RESULT[100.mock_p]}") | ≥ 0.3 (stretch 0.5) |
| consume 100 B | ${RESULT[100.ours_c]} | $(mbps "${RESULT[100.ours_c]}" 100) | ${RESULT[100.mock_c]} | $(ratio "${RESULT[100.ours_c]}" "${RESULT[100.mock_c]}") | ≥ our produce rate ($(ratio "${RESULT[100.ours_c]}" "${RESULT[100.ours_p]}")×) |
| produce 1 KB, acks=1 | ${RESULT[1024.ours_p]} | $(mbps "${RESULT[1024.ours_p]}" 1024) | ${RESULT[1024.mock_p]} | $(ratio "${RESULT[1024.ours_p]}" "${RESULT[1024.mock_p]}") | ≥ 0.3 (stretch 0.5) |
| consume 1 KB | ${RESULT[1024.ours_c]} | $(mbps "${RESULT[1024.ours_c]}" 1024) | ${RESULT[1024.mock_c]} | $(ratio "${RESULT[1024.ours_c]}" "${RESULT[1024.mock_c]}") | ≥ our produce rate ($(ratio "${RESULT[1024.ours_c]}" "${RESULT[1024.ours_p]}")×) |

| measure | value | goal |
|---|---|---|
| broker CPU seconds, produce of $COUNT_100 × 100 B | ${RESULT[100.cpu]} | |
| broker CPU seconds, produce of $COUNT_1K × 1 KB | ${RESULT[1024.cpu]} | |
| write amplification, 100 B (bytes written / payload) | ${RESULT[100.amp]} | ≤ 1.1 |
| write amplification, 1 KB | ${RESULT[1024.amp]} | ≤ 1.1 |
| produce latency 1 KB at 10k msg/s, acks=1 (connectd) | p50 $(field p50_ms "$LAT") ms, p99 $(field p99_ms "$LAT") ms, max $(field max_ms "$LAT") ms | p99 ≤ 5 ms |
| same against the mock cluster | p50 $(field p50_ms "$MOCK_LAT") ms, p99 $(field p99_ms "$MOCK_LAT") ms | |
| idle broker RSS | $IDLE_RSS MB | ≤ 30 MB |
| RSS with 1,000 partitions | $WIDE_RSS MB | ≤ 200 MB |

Median of $REPS interleaved runs (mock, then connectd); $(nproc) cores; $(date -u +%Y-%m-%d).
Write amplification counts the 100 B records' batch and record framing as written bytes.
EOF
