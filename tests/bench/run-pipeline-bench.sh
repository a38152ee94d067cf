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

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_setup pipeline-bench "${1:-.}"
SIZE_MB=${SIZE_MB:-1024}

write_connectors
rows=()
for line in 100 1024; do
    make_file "$line"
    size=$(file_size "$WORK/in.txt")
    lines=$((size / line))
    cat "$WORK/in.txt" >/dev/null
    t0=$(now)
    cp "$WORK/in.txt" "$WORK/cp.txt"
    sync "$WORK/cp.txt"
    cp_secs=$(seconds_since "$t0")
    rm -f "$WORK/cp.txt"
    for conv in org.apache.kafka.connect.storage.StringConverter org.apache.kafka.connect.json.JsonConverter; do
        run_pipeline "$conv" "$conv"
        secs=$PIPELINE_SECS
        rows+=("| ${line} B lines, ${conv##*.} | $(mibps "$size" "$secs") | $(per_second "$lines" "$secs") | $PIPELINE_CPU | $(mibps "$size" "$cp_secs") | $(ratio "$cp_secs" "$secs") |")
    done
done

# Idle worker: RSS, and how soon REST answers after the process starts.
t0=$(now)
start_worker org.apache.kafka.connect.storage.StringConverter idle
until curl -sf "http://127.0.0.1:$REST_PORT/" >/dev/null 2>&1; do sleep 0.01; done
rest_secs=$(seconds_since "$t0" 2)
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
