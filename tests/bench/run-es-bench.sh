#!/bin/bash
# run-es-bench.sh - the Elasticsearch sink (issue 15) against curl replaying
# the sink's own bulk requests, in the same run, against the same server.
#
#   tests/bench/run-es-bench.sh [BUILD_DIR]      (default: the current directory)
#
# DOCS (default 1,000,000) JSON records of 200-500 bytes with distinct
# string keys are produced with kcat into a topic of a `connectd
# standalone` worker's embedded broker.  Then, REPS (default 3) times,
# interleaved:
#
#   sink  a fresh server; the clock runs from POST /connectors (a new
#         connector name each time, so it reads the topic from the start)
#         until the server has indexed all DOCS documents; the worker's CPU
#         seconds and its RSS at the end are read from /proc.
#   curl  a fresh server; the clock runs while INFLIGHT curl processes send
#         the NDJSON bodies the sink sent, each process its share in turn
#         on one keep-alive connection: the same bodies, the same batch
#         size and the same number of requests in flight as the sink's
#         batch.size and max.in.flight.requests (BATCH, INFLIGHT; 2000 and
#         5, Confluent's defaults); their CPU seconds come from `time`.
#
# Then, once, the same records through FileStreamSink on the same worker:
# what the worker's own path (consume, JsonConverter, put) costs without
# Elasticsearch.  On a shared 2-core machine the CPU seconds are steadier
# than the rates.
#
# The bodies are captured first, by one untimed run of the sink against a
# server that writes each _bulk body to a file (it also warms the page
# cache and the worker).
#
# The server is tests/bench/es_floor.c, not tests/es/es_server.py: the
# Python server indexes 4,000-11,000 documents a second here (the run
# measures it with curl on PY_BULKS of the bodies and prints it), so
# against it both numbers would only measure the server.  es_floor answers
# what the sink needs (GET / version, index exists and create, _bulk with
# per-item statuses and external versions kept per document) from one C
# thread; its CPU seconds are printed, to show it is not the limit.
# A benchmark, never a test: nothing here fails on a number.
set -euo pipefail

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_setup es-bench "${1:-.}"
DOCS=${DOCS:-1000000}
REPS=${REPS:-3}
BATCH=${BATCH:-2000}
INFLIGHT=${INFLIGHT:-5}
PY_BULKS=${PY_BULKS:-10}
TOPIC=es-bench
ES_FLOOR=$WORK/es_floor

bench_build es_floor

# start_server [DUMP_DIR]: a fresh es_floor, SERVER_PID, ES_URL.
start_server() {
    rm -f "$WORK/es.port"
    "$ES_FLOOR" "$WORK/es.port" "$@" 2>"$WORK/es.log" &
    SERVER_PID=$!
    until [ -s "$WORK/es.port" ]; do sleep 0.01; done
    ES_URL=http://127.0.0.1:$(cat "$WORK/es.port")
}

stop_server() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

server_docs() {
    curl -sf "$ES_URL/_floor/stats" | sed 's/.*"docs":\([0-9]*\).*/\1/'
}

# create_sink NAME: the sink of TOPIC into ES_URL, string keys as ids with
# external versions, schemaless JSON values (the issue's configuration).
create_sink() {
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$REST_PORT/connectors" -d "
{\"name\": \"$1\", \"config\": {
  \"connector.class\": \"io.confluent.connect.elasticsearch.ElasticsearchSinkConnector\",
  \"topics\": \"$TOPIC\", \"connection.url\": \"$ES_URL\", \"tasks.max\": \"1\",
  \"key.ignore\": \"false\", \"schema.ignore\": \"true\",
  \"batch.size\": \"$BATCH\", \"max.in.flight.requests\": \"$INFLIGHT\",
  \"key.converter\": \"org.apache.kafka.connect.storage.StringConverter\",
  \"value.converter\": \"org.apache.kafka.connect.json.JsonConverter\",
  \"value.converter.schemas.enable\": \"false\"}}"
}

delete_sink() {
    curl -sf -o /dev/null -X DELETE "http://127.0.0.1:$REST_PORT/connectors/$1"
}

wait_docs() {
    while [ "$(server_docs)" -lt "$DOCS" ]; do
        worker_alive
        sleep 0.05
    done
}

# run_sink NAME: sets SINK_SECS, SINK_CPU (the worker's CPU seconds over
# the run), SINK_RSS and SERVER_CPU.
run_sink() {
    local cpu0 t0
    cpu0=$(cpu_seconds "$WORKER_PID")
    t0=$(now)
    create_sink "$1"
    wait_docs
    SINK_SECS=$(seconds_since "$t0")
    SINK_CPU=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$WORKER_PID")" 'BEGIN { printf "%.2f", b - a }')
    SINK_RSS=$(rss_mb "$WORKER_PID")
    SERVER_CPU=$(cpu_seconds "$SERVER_PID")
    delete_sink "$1"
}

# replay URL FILE...: INFLIGHT curl processes, each sending its share of
# the files in turn on one connection, as the sink does (no Expect).
replay() {
    local url=$1 i f
    shift
    local files=("$@")
    for ((i = 0; i < INFLIGHT; i++)); do
        : >"$WORK/replay.$i"
    done
    for ((i = 0; i < ${#files[@]}; i++)); do
        f=$WORK/replay.$((i % INFLIGHT))
        [ -s "$f" ] && echo next >>"$f"
        printf 'url = "%s/_bulk"\ndata-binary = "@%s"\nheader = "Content-Type: application/x-ndjson"\nheader = "Expect:"\noutput = "/dev/null"\n' \
            "$url" "${files[$i]}" >>"$f"
    done
    local pids=()
    for ((i = 0; i < INFLIGHT; i++)); do
        [ -s "$WORK/replay.$i" ] || continue
        curl -s -S --fail -K "$WORK/replay.$i" &
        pids+=($!)
    done
    for f in "${pids[@]}"; do
        wait "$f"
    done
}

# The records: key TAB value, ids 0..DOCS-1, values of 200-500 bytes.
awk -v n="$DOCS" 'BEGIN {
    pad = sprintf("%300s", ""); gsub(/ /, "lorem ipsum ", pad);
    split("new paid shipped delivered returned", st, " ");
    for (i = 0; i < n; i++) {
        printf "%d\t{\"id\":%d,\"customer\":{\"id\":%d,\"name\":\"customer %d\",\"tier\":\"gold\"},", i, i, i % 9973, i % 9973
        printf "\"status\":\"%s\",\"total\":%d.%02d,\"paid\":%s,\"lines\":[{\"sku\":\"SKU-%05d\",\"qty\":%d},{\"sku\":\"SKU-%05d\",\"qty\":1}],", \
            st[i % 5 + 1], i % 1000, i % 100, (i % 2 ? "true" : "false"), i % 50000, i % 7 + 1, (i * 7) % 50000
        printf "\"created_at\":\"2026-12-07T10:%02d:%02d.000Z\",\"note\":\"%s\"}\n", i / 60 % 60, i % 60, substr(pad, 1, (i * 37) % 300)
    }
}' >"$WORK/records.tsv"
record_bytes=$(($(file_size "$WORK/records.tsv") / DOCS))

start_worker org.apache.kafka.connect.json.JsonConverter idle
until curl -sf "http://127.0.0.1:$REST_PORT/" >/dev/null 2>&1; do
    worker_alive
    sleep 0.05
done
t0=$(now)
kcat -P -b "127.0.0.1:$BROKER_PORT" -t "$TOPIC" -K $'\t' -X linger.ms=20 <"$WORK/records.tsv"
produce_secs=$(seconds_since "$t0")
rm "$WORK/records.tsv"

# Capture (untimed): the sink's bodies, one file per _bulk request.
mkdir "$WORK/bulks"
start_server "$WORK/bulks"
run_sink es-bench-capture
stop_server
mapfile -t BULKS < <(ls "$WORK"/bulks/bulk-*)
bulk_bytes=$(cat "${BULKS[@]}" | wc -c)

# The Python server's ceiling with curl alone, on the first PY_BULKS bodies.
py_docs=0
for f in "${BULKS[@]:0:PY_BULKS}"; do
    py_docs=$((py_docs + $(grep -c '^{"index"' "$f")))
done
/usr/bin/python3 "$SRC/tests/es/es_server.py" --port 0 --port-file "$WORK/py.port" >/dev/null 2>"$WORK/py.log" &
SERVER_PID=$!
until [ -s "$WORK/py.port" ]; do sleep 0.05; done
t0=$(now)
replay "http://127.0.0.1:$(cat "$WORK/py.port")" "${BULKS[@]:0:PY_BULKS}"
py_secs=$(seconds_since "$t0")
stop_server

TIMEFORMAT='%R %U %S'
sink_rate=() curl_rate=() ratios=() cpus=() curl_cpus=() rss=() sink_srv=() curl_srv=()
for rep in $(seq "$REPS"); do
    start_server
    run_sink "es-bench-$rep"
    stop_server
    sink_rate+=("$(per_second "$DOCS" "$SINK_SECS")")
    cpus+=("$SINK_CPU")
    rss+=("$SINK_RSS")
    sink_srv+=("$SERVER_CPU/$SINK_SECS")

    start_server
    t0=$(now)
    { time replay "$ES_URL" "${BULKS[@]}"; } 2>"$WORK/replay.time"
    curl_secs=$(seconds_since "$t0")
    curl_cpus+=("$(awk '{ printf "%.2f", $2 + $3 }' "$WORK/replay.time")")
    got=$(server_docs)
    [ "$got" -eq "$DOCS" ] || { echo "curl replay indexed $got of $DOCS documents" >&2; exit 1; }
    curl_srv+=("$(cpu_seconds "$SERVER_PID")/$curl_secs")
    stop_server
    curl_rate+=("$(per_second "$DOCS" "$curl_secs")")
    ratios+=("$(ratio "${sink_rate[-1]}" "${curl_rate[-1]}")")
done
# Once: the worker's path without Elasticsearch, the same records and
# converters into FileStreamSink (a file in WORK), until its task has put
# all DOCS.
t0=$(now)
cpu0=$(cpu_seconds "$WORKER_PID")
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$REST_PORT/connectors" -d "
{\"name\": \"es-bench-file\", \"config\": {\"connector.class\": \"FileStreamSink\", \"topics\": \"$TOPIC\",
  \"file\": \"$WORK/file-sink.txt\", \"tasks.max\": \"1\",
  \"key.converter\": \"org.apache.kafka.connect.storage.StringConverter\",
  \"value.converter\": \"org.apache.kafka.connect.json.JsonConverter\",
  \"value.converter.schemas.enable\": \"false\"}}"
file_sent() {
    curl -sf "http://127.0.0.1:$REST_PORT/metrics" |
        awk '/^connectd_sink_task_sink_record_send_total\{connector="es-bench-file"/ { n = $NF } END { print n + 0 }'
}
while [ "$(file_sent)" -lt "$DOCS" ]; do
    worker_alive
    sleep 0.1
done
file_secs=$(seconds_since "$t0")
file_cpu=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$WORKER_PID")" 'BEGIN { printf "%.2f", b - a }')
delete_sink es-bench-file
rm -f "$WORK/file-sink.txt"

echo "es-bench: sink ${sink_rate[*]} docs/s; curl ${curl_rate[*]} docs/s; ratios ${ratios[*]};" \
    "worker CPU s ${cpus[*]}; curl CPU s ${curl_cpus[*]}; RSS MB ${rss[*]}; server CPU s/wall s: sink ${sink_srv[*]}, curl ${curl_srv[*]}" >&2

med_sink=$(printf '%s\n' "${sink_rate[@]}" | median)
med_curl=$(printf '%s\n' "${curl_rate[@]}" | median)
med_cpu=$(printf '%s\n' "${cpus[@]}" | median)
med_curl_cpu=$(printf '%s\n' "${curl_cpus[@]}" | median)
cat <<EOF
| Elasticsearch sink, $DOCS docs of ~$record_bytes B | value |
|---|---|
| documents/s, sink (POST /connectors to all indexed) | $med_sink |
| documents/s, curl replaying the sink's ${#BULKS[@]} bulks, $INFLIGHT in flight | $med_curl |
| ratio sink / curl (of the medians; per run: ${ratios[*]}) | $(ratio "$med_sink" "$med_curl") |
| goal | ≥ 0.5× |
| worker CPU s for the $DOCS docs (docs per CPU s) | $med_cpu ($(per_second "$DOCS" "$med_cpu")) |
| curl processes' CPU s for the same documents (ratio to the worker's) | $med_curl_cpu ($(ratio "$med_curl_cpu" "$med_cpu")) |
| worker RSS at the end | $(printf '%s\n' "${rss[@]}" | median) MB |
| server (es_floor) CPU s / wall s, sink runs; curl runs | ${sink_srv[*]}; ${curl_srv[*]} |
| FileStreamSink of the same records, one run: documents/s, worker CPU s | $(per_second "$DOCS" "$file_secs"), $file_cpu |
| es_server.py with curl alone ($py_docs docs) | $(per_second "$py_docs" "$py_secs") docs/s |
| producing the topic with kcat | $(per_second "$DOCS" "$produce_secs") records/s |
| bulk bodies: count, MiB, docs each | ${#BULKS[@]}, $(mibps "$bulk_bytes" 1), $((DOCS / ${#BULKS[@]})) |

Median of $REPS interleaved runs (sink, then curl), batch.size=$BATCH, max.in.flight.requests=$INFLIGHT;
$(nproc) cores; $(date -u +%Y-%m-%d).
EOF
