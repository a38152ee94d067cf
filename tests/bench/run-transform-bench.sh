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

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_setup transform-bench "${1:-.}"
SIZE_MB=${SIZE_MB:-1024}

# run_transform plain|chain: run_pipeline, with the chain of transforms on
# the source for "chain".
run_transform() {
    write_connectors
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
    run_pipeline org.apache.kafka.connect.storage.StringConverter "$1"
}

rows=()
for line in 100 1024; do
    make_file "$line"
    size=$(file_size "$WORK/in.txt")
    lines=$((size / line))
    cat "$WORK/in.txt" >/dev/null
    run_transform plain
    plain_secs=$PIPELINE_SECS plain_cpu=$PIPELINE_CPU
    run_transform chain
    chain_secs=$PIPELINE_SECS chain_cpu=$PIPELINE_CPU
    rows+=("| ${line} B lines | $(mibps "$size" "$plain_secs") | $(per_second "$lines" "$plain_secs") | $plain_cpu | $(mibps "$size" "$chain_secs") | $(per_second "$lines" "$chain_secs") | $chain_cpu | $(ratio "$plain_secs" "$chain_secs") |")
done

echo "| file pipeline (${SIZE_MB} MiB, StringConverter) | plain MiB/s | plain lines/s | plain CPU s | 3 transforms MiB/s | 3 transforms lines/s | 3 transforms CPU s | chain / plain |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Goal: chain / plain >= 0.7. Chain: HoistField\$Value, InsertField\$Value, ExtractField\$Value on the source. $(nproc) cores; $(date -u +%Y-%m-%d)."
