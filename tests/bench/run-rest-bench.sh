#!/bin/bash
# run-rest-bench.sh - the REST API under load while a file pipeline runs
# (issue 5): `wrk` on GET /connectors/{c}/status with 1 and with 64
# connections, against the same pipeline running alone in the same run.
#
#   tests/bench/run-rest-bench.sh [BUILD_DIR]     (default: the current directory)
#
# Needs wrk (Debian: apt-get install wrk).  Environment: SIZE_MB (default
# 512) of 100 B lines, REPS (default 5), IDLE_SECS (default 5), QUIET_SECS
# (default 300): how long to wait, before each run, for the machine to
# be idle (under 0.1 cores busy) - on a shared 2-core box someone else's
# build moves every number here; a run that started anyway shows it in
# the "others" column.  CONFIGS (default: all) picks configurations by
# key: alone c1 c64 floor1 floor64 c1slow ("alone" is always run: the
# ratios need it).  WORKER_ENV (e.g. "GLIBC_TUNABLES=...") is put in the
# worker's environment, for trying a change without editing this script.
#
# Each repetition runs these configurations one after the other, each with
# a fresh `connectd standalone` (embedded broker, FileStreamSource -> topic
# -> FileStreamSink, StringConverter, as run-pipeline-bench.sh does it):
#
#   alone    the pipeline, no REST load (the baseline)
#   c1       wrk -t1 -c1, as fast as it goes
#   c64      wrk -t2 -c64, as fast as it goes
#   floor1   the baseline: wrk -t1 -c1 and -t2 -c64 as above, against
#   floor64  http_floor.c instead of connectd's REST - one epoll thread
#            answering every request with the status body the worker
#            returned, one read and one write per request.  The pipeline
#            still runs in the worker.  What wrk sees there (and what the
#            pipeline loses) is the floor this machine sets for any HTTP
#            server sharing its cores with the pipeline and with wrk.
#   c1slow   wrk -t1 -c1 waiting 10 ms between requests (~100 req/s): a
#            monitoring poll rather than a flood
#
# The pipeline is timed from the moment the status endpoint answers and
# the sink has written its first bytes (wrk starts then) until the sink
# file holds every byte, so the worker's start and the sink's group join
# are left out; its output is compared with cmp.  wrk is stopped with
# SIGINT when the pipeline is done, and its latencies come from its own
# histogram (tests/bench/rest-status.lua prints them).  After the baseline
# pipeline finishes (and `sync` has written its files out), the idle
# worker is also measured with c1 and c64 for IDLE_SECS each: the cost of
# REST alone; and so is http_floor, next to the idle worker.
#
# Each run also reports the cores (CPU seconds per second of the timed
# window) used by the worker (pipeline and REST threads together, plus
# http_floor in the floor runs), by wrk,
# and by everything else on the machine: about 0.1-0.15 there is the
# kernel writing the pipeline's files back; more means someone else ran.
# The medians of REPS runs are printed; each ratio to the baseline is taken
# within its own repetition before the median.  Never fails on a number.
set -euo pipefail

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
SIZE_MB=${SIZE_MB:-512}
REPS=${REPS:-5}
IDLE_SECS=${IDLE_SECS:-5}
QUIET_SECS=${QUIET_SECS:-300}
LINE=100

if ! command -v wrk >/dev/null; then
    echo "run-rest-bench.sh: wrk not found (Debian: apt-get install wrk)" >&2
    exit 1
fi
bench_setup rest-bench "${1:-.}"
bench_build http_floor
LUA=$SRC/tests/bench/rest-status.lua

# CPU seconds all processes have used since boot (not idle, not iowait).
busy_seconds() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }
# Waits up to QUIET_SECS for a second in which the machine used < 0.1 cores.
wait_quiet() {
    local deadline=$((SECONDS + QUIET_SECS)) b0 b1
    while :; do
        b0=$(busy_seconds)
        sleep 1
        b1=$(busy_seconds)
        awk -v a="$b0" -v b="$b1" 'BEGIN { exit !(b - a < 0.1) }' && return
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "run-rest-bench.sh: the machine is busy ($(awk -v a="$b0" -v b="$b1" 'BEGIN { printf "%.2f", b - a }') cores); running anyway" >&2
            return
        fi
    done
}
# start_wrk THREADS CONNS DELAY_MS [DURATION]: wrk in the background, its
# output in $WORK/wrk.out.
start_wrk() {
    env WRK_DELAY_MS="$3" wrk -t"$1" -c"$2" -d"${4:-3600s}" --timeout 10s -s "$LUA" "$STATUS_URL" \
        >"$WORK/wrk.out" 2>&1 &
    WRK_PID=$!
}

# SIGINT makes wrk stop and report.
stop_wrk() {
    kill -INT "$WRK_PID" 2>/dev/null || true
    wait "$WRK_PID" || true
    WRK_PID=
}

# wrk_result -> "req_per_s p50_us p99_us" of the wrk run that ended.
wrk_result() {
    local line
    line=$(grep '^RESULT' "$WORK/wrk.out") || {
        echo "wrk printed no result:" >&2
        cat "$WORK/wrk.out" >&2
        exit 1
    }
    echo "$line" | awk '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (v["errors"] + v["non2xx"] > 0) { printf "wrk: %d errors, %d non-2xx responses\n", v["errors"], v["non2xx"] > "/dev/stderr" }
        printf "%.0f %s %s\n", v["requests"] / v["seconds"], v["p50_us"], v["p99_us"] }'
}

# start_floor: http_floor on a free port, answering with the status body
# the worker gives now; sets STATUS_URL to it.
start_floor() {
    curl -sf -o "$WORK/status.json" "$STATUS_URL"
    rm -f "$WORK/floor.port"
    "$WORK/http_floor" "$WORK/floor.port" "$WORK/status.json" &
    SERVER_PID=$!
    until [ -s "$WORK/floor.port" ]; do sleep 0.01; done
    STATUS_URL=http://127.0.0.1:$(cat "$WORK/floor.port")/connectors/bench-source/status
}

stop_floor() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# run_config NAME THREADS CONNS DELAY_MS [floor]: one pipeline, with wrk
# unless THREADS is 0, sending to http_floor instead of the worker if the
# last argument says so.  Appends "rep|name|req/s|p50|p99|MiB/s|cores of the worker|
# of wrk|of the others" to $WORK/runs.
run_config() {
    local name=$1 size out0 t0 t1 w0 w1 wrk_cpu=0 floor_cpu=0 b0 b1 wrk_res="- - -" mibs cores
    size=$(file_size "$WORK/in.txt")
    wait_quiet
    start_worker org.apache.kafka.connect.storage.StringConverter
    STATUS_URL=http://127.0.0.1:$REST_PORT/connectors/bench-source/status
    # The clock starts once REST answers and the sink writes: the worker's
    # start and the sink's group join are the same with or without REST load.
    until [ "$(file_size "$WORK/out.txt")" -gt 0 ] && curl -sf -o /dev/null "$STATUS_URL" 2>/dev/null; do
        worker_alive
        sleep 0.01
    done
    t0=$(now)
    b0=$(busy_seconds)
    w0=$(cpu_seconds "$WORKER_PID")
    out0=$(file_size "$WORK/out.txt")
    [ "${5:-}" = floor ] && start_floor
    if [ "$2" -gt 0 ]; then
        start_wrk "$2" "$3" "$4"
    fi
    wait_sink "$size"
    t1=$(now)
    w1=$(cpu_seconds "$WORKER_PID")
    if [ "$2" -gt 0 ]; then
        wrk_cpu=$(cpu_seconds "$WRK_PID")
        stop_wrk
        wrk_res=$(wrk_result)
    fi
    if [ "${5:-}" = floor ]; then
        floor_cpu=$(cpu_seconds "$SERVER_PID")
        stop_floor
    fi
    b1=$(busy_seconds)
    mibs=$(awk -v b="$((size - out0))" -v a="$t0" -v c="$t1" 'BEGIN { printf "%.1f", b / (c - a) / 1048576 }')
    cores=$(awk -v t0="$t0" -v t1="$t1" -v w0="$w0" -v w1="$w1" -v f="$floor_cpu" -v k="$wrk_cpu" -v b0="$b0" -v b1="$b1" 'BEGIN {
        t = t1 - t0; w = w1 - w0 + f; o = b1 - b0 - w - k; if (o < 0) o = 0
        printf "%.2f|%.2f|%.2f", w / t, k / t, o / t }')
    echo "$rep|$name|${wrk_res// /|}|$mibs|$cores" >>"$WORK/runs"
    if [ "$2" -eq 0 ]; then
        # The pipeline is done and the worker idle: REST on its own, once
        # the kernel has written the pipeline's dirty pages out; then the
        # floor server, for what the machine does to an idle server.
        sync
        for spec in "idle c1:1:1" "idle c64:2:64" "idle floor c1:1:1" "idle floor c64:2:64"; do
            IFS=: read -r label threads conns <<<"$spec"
            [ "$label" = "idle floor c1" ] && start_floor
            start_wrk "$threads" "$conns" 0 "${IDLE_SECS}s"
            wait "$WRK_PID" || true
            WRK_PID=
            res=$(wrk_result)
            echo "$rep|$label|${res// /|}|-|-|-|-" >>"$WORK/runs"
        done
        stop_floor
    fi
    stop_worker
    check_output "$name"
}

make_file "$LINE"
write_connectors
cat "$WORK/in.txt" >/dev/null
: >"$WORK/runs"
CONFIGS=${CONFIGS:-c1 c64 floor1 floor64 c1slow}
wanted() { [[ " $CONFIGS " == *" $1 "* ]]; }
for rep in $(seq "$REPS"); do
    run_config "alone" 0 0 0
    if wanted c1; then run_config "c1" 1 1 0; fi
    if wanted c64; then run_config "c64" 2 64 0; fi
    if wanted floor1; then run_config "floor c1" 1 1 0 floor; fi
    if wanted floor64; then run_config "floor c64" 2 64 0 floor; fi
    if wanted c1slow; then run_config "c1 at 100 req/s" 1 1 10; fi
    echo "repetition $rep of $REPS done" >&2
done

echo "Raw runs (rep|config|req/s|p50 µs|p99 µs|pipeline MiB/s|cores used by worker|wrk|others):"
sed 's/^/    /' "$WORK/runs"
echo
/usr/bin/python3 - "$WORK/runs" "$SIZE_MB" <<'EOF'
import statistics, sys
runs = [line.rstrip("\n").split("|") for line in open(sys.argv[1])]
base = {r[0]: float(r[5]) for r in runs if r[1] == "alone"}
order = list(dict.fromkeys(r[1] for r in runs))
def med(vals):
    vals = [float(v) for v in vals if v != "-"]
    return statistics.median(vals) if vals else None
def fmt(v, f):
    return "-" if v is None else f % v
print("| config (pipeline: %s MiB of 100 B lines) | wrk req/s | p50 | p99 | pipeline MiB/s | vs alone "
      "| cores: worker | wrk | others |" % sys.argv[2])
print("|---|---|---|---|---|---|---|---|---|")
for name in order:
    rows = [r for r in runs if r[1] == name]
    ratios = [float(r[5]) / base[r[0]] for r in rows if r[5] != "-"]
    print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        name, fmt(med(r[2] for r in rows), "%.0f"), fmt(med(r[3] for r in rows), "%.0f µs"),
        fmt(med(r[4] for r in rows), "%.0f µs"), fmt(med(r[5] for r in rows), "%.1f"),
        fmt(statistics.median(ratios) if ratios else None, "%.2f"), fmt(med(r[6] for r in rows), "%.2f"),
        fmt(med(r[7] for r in rows), "%.2f"), fmt(med(r[8] for r in rows), "%.2f")))
EOF
echo
echo "Goals: p99 at c1 ≤ 1 ms; pipeline ≥ 0.90 of alone under REST load."
echo "Median of $REPS${WORKER_ENV:+; worker environment: $WORKER_ENV}; $(nproc) cores shared by wrk," \
    "the worker's REST threads and the pipeline; $(date -u +%Y-%m-%d)."
