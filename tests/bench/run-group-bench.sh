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

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_setup group-bench "${1:-.}"
REPS=${REPS:-3}
COUNT=${COUNT:-2000000}

bench_build loadgen
bench_build groupgen -pthread

start_broker 4
B=127.0.0.1:$PORT

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
