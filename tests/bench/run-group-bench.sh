#!/bin/bash
# run-group-bench.sh - consumer-group benchmarks (issue 3), each against a
# baseline in the same run.
#
#   tests/bench/run-group-bench.sh [BUILD_DIR]      (default: the current directory)
#
# One broker, one topic of 4 partitions holding COUNT 100 B records.  Then,
# interleaved REPS times: the plain partition-assigned consumer (loadgen
# consume, the baseline), a group of 1 and a group of 2 high-level consumers
# (groupgen consume), each run in a fresh group so it reads everything.
# Then the time from a second member subscribing to the group being Stable
# again, compared with the client's own delay (heartbeat.interval.ms: the
# first member learns of the rebalance from its next heartbeat).  Prints a
# markdown table; never fails on a number.
set -euo pipefail

BUILD=${1:-.}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CONNECTD=$BUILD/src/connectd
REPS=${REPS:-3}
COUNT=${COUNT:-2000000}
WORK=$(mktemp -d /tmp/connectd-group-bench.XXXXXX)
BROKER_PID=

cleanup() {
    [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

gcc -O2 -o "$WORK/loadgen" "$SRC/tests/bench/loadgen.c" -lrdkafka
gcc -O2 -pthread -o "$WORK/groupgen" "$SRC/tests/bench/groupgen.c" -lrdkafka

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$CONNECTD" broker "$SRC/etc/broker.properties" \
    --override "listeners=PLAINTEXT://127.0.0.1:$PORT" --override "log.dirs=$WORK/data" \
    --override num.partitions=4 2>"$WORK/broker.log" &
BROKER_PID=$!
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
done
B=127.0.0.1:$PORT

field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

"$WORK/loadgen" produce -b "$B" -t gbench -s 100 -c "$COUNT" >/dev/null 2>&1

plain=() g1=() g2=() join=() join3=()
for rep in $(seq "$REPS"); do
    plain+=("$(field msgs_per_s "$("$WORK/loadgen" consume -b "$B" -t gbench -c "$COUNT" 2>/dev/null)")")
    g1+=("$(field msgs_per_s "$("$WORK/groupgen" consume -b "$B" -t gbench -c "$COUNT" -m 1 -g "one-$rep" 2>/dev/null)")")
    g2+=("$(field msgs_per_s "$("$WORK/groupgen" consume -b "$B" -t gbench -c "$COUNT" -m 2 -g "two-$rep" 2>/dev/null)")")
    join+=("$(field join_ms "$("$WORK/groupgen" join -b "$B" -t gbench -g "join-$rep" -X heartbeat.interval.ms=500 2>/dev/null)")")
    join3+=("$(field join_ms "$("$WORK/groupgen" join -b "$B" -t gbench -g "join3-$rep" 2>/dev/null)")")
done
echo "group bench: plain ${plain[*]}; group of 1 ${g1[*]}; group of 2 ${g2[*]}; join ${join[*]} / ${join3[*]}" >&2
P=$(printf '%s\n' "${plain[@]}" | median)
G1=$(printf '%s\n' "${g1[@]}" | median)
G2=$(printf '%s\n' "${g2[@]}" | median)
J=$(printf '%s\n' "${join[@]}" | median)
J3=$(printf '%s\n' "${join3[@]}" | median)

cat <<EOT
| workload | msgs/s | vs plain consumer | goal |
|---|---|---|---|
| plain consumer, partitions assigned (baseline) | $P | 1.00 | |
| group of 1 member | $G1 | $(ratio "$G1" "$P") | ≥ 0.9 |
| group of 2 members | $G2 | $(ratio "$G2" "$P") | ≥ 0.9 |

| rebalance | join to Stable | client delay | ratio | goal |
|---|---|---|---|---|
| 2nd member joins, heartbeat.interval.ms=500 | $J ms | 500 ms | $(ratio "$J" 500) | ≤ 2 |
| 2nd member joins, heartbeat.interval.ms=3000 (default) | $J3 ms | 3000 ms | $(ratio "$J3" 3000) | ≤ 2 |

$COUNT × 100 B records in 4 partitions; median of $REPS interleaved runs; group.initial.rebalance.delay.ms=0 (etc/broker.properties); $(nproc) cores; $(date -u +%Y-%m-%d).
EOT
