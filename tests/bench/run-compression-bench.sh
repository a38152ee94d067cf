#!/bin/bash
# run-compression-bench.sh - broker-side recompression (topic
# compression.type, issue 21) against producer-compressed storage, in the
# same run.
#
#   tests/bench/run-compression-bench.sh [BUILD_DIR]   (default: the current directory)
#
# A librdkafka producer (tests/bench/loadgen.c, -p text: word-like 1 KB
# records that compress about as JSON does) sends COUNT records with
# compression.codec=lz4, acks=1, into a broker whose compression.type is
# zstd (each batch decompressed and rebuilt with zstd) and into one whose
# compression.type is producer (the lz4 batches stored as they came: the
# baseline).  Runs alternate A B A B and the median of REPS is reported:
# produce msgs/s and MB/s, broker CPU seconds, and the bytes stored.  The
# ratio is recompressing / baseline throughput.  A benchmark, never a test:
# nothing here fails on a number.
set -euo pipefail

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_setup compression-bench "${1:-.}"
REPS=${REPS:-3}
COUNT=${COUNT:-300000}
SIZE=${SIZE:-1024}
LOADGEN=$WORK/loadgen

bench_build loadgen


# run_one TYPE: produce COUNT records with lz4 into a broker whose
# compression.type is TYPE; appends to the TYPE.* lists.
declare -A RESULT RATES CPUS STORED
run_one() {
    local type=$1 out cpu0 cpu1
    start_broker 1 "compression.type=$type"
    cpu0=$(cpu_seconds "$BROKER_PID")
    out=$("$LOADGEN" produce -b "127.0.0.1:$PORT" -t bench -s "$SIZE" -c "$COUNT" -p text \
        -X compression.codec=lz4 -X linger.ms=5 2>/dev/null)
    cpu1=$(cpu_seconds "$BROKER_PID")
    RATES[$type]+=" $(field msgs_per_s "$out")"
    CPUS[$type]+=" $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')"
    STORED[$type]+=" $(du -sb "$WORK/data/bench-0" | awk '{ print $1 }')"
    stop_broker
}

for _ in $(seq "$REPS"); do
    run_one producer
    run_one zstd
done

for type in producer zstd; do
    echo "bench: compression.type=$type: msgs/s${RATES[$type]}; cpu${CPUS[$type]}; stored${STORED[$type]}" >&2
    RESULT[$type.rate]=$(tr ' ' '\n' <<<"${RATES[$type]}" | grep . | median)
    RESULT[$type.cpu]=$(tr ' ' '\n' <<<"${CPUS[$type]}" | grep . | median)
    RESULT[$type.stored]=$(tr ' ' '\n' <<<"${STORED[$type]}" | grep . | median)
done

# mbps MSGS_PER_S; mib BYTES
mbps() { awk -v m="$1" -v s="$SIZE" 'BEGIN { printf "%.1f", m * s / 1e6 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

cat <<EOF2
| produce $COUNT × $SIZE B text, lz4 producer, acks=1 | msgs/s | MB/s | broker CPU s | stored MiB |
|---|---|---|---|---|
| compression.type=producer (lz4 stored as sent; baseline) | ${RESULT[producer.rate]} | $(mbps "${RESULT[producer.rate]}") | ${RESULT[producer.cpu]} | $(mib "${RESULT[producer.stored]}") |
| compression.type=zstd (recompressed by the broker) | ${RESULT[zstd.rate]} | $(mbps "${RESULT[zstd.rate]}") | ${RESULT[zstd.cpu]} | $(mib "${RESULT[zstd.stored]}") |

Ratio recompressing / baseline: throughput $(ratio "${RESULT[zstd.rate]}" "${RESULT[producer.rate]}"), broker CPU $(ratio "${RESULT[zstd.cpu]}" "${RESULT[producer.cpu]}"), stored bytes $(ratio "${RESULT[zstd.stored]}" "${RESULT[producer.stored]}").
Median of $REPS interleaved runs; $(nproc) cores; $(date -u +%Y-%m-%d).
EOF2
