#!/bin/bash
# run-jdbc-bench.sh - the JDBC connectors (issue 16) against PostgreSQL's own
# COPY of the same rows, in the same run.
#
#   tests/bench/run-jdbc-bench.sh [BUILD_DIR]     (default: the current directory)
#
# A sequence of functions, each one benchmark, run by main at the end:
#
#   pg_start       a fresh PostgreSQL in $WORK (initdb, trust on 127.0.0.1,
#                  the postgres user when run as root), PG_PORT
#   source_bench   ROWS (default 1000000) rows of (bigserial, text, numeric,
#                  timestamp): `COPY (SELECT * FROM t) TO STDOUT` to /dev/null
#                  (the baseline), then `connectd standalone` with its
#                  embedded broker and JdbcSourceConnector in incrementing
#                  mode, JsonConverter, timed from the worker's start until
#                  the topic holds every row, for batch.max.rows 1000
#                  (Confluent's default) and 10000, with schemas.enable
#                  true and false
#   sink_bench     SINK_ROWS (default 200000) records of (int, text, bigint,
#                  Decimal, Timestamp), JsonConverter with schemas, produced
#                  to a topic first; for insert.mode=insert (no key) and
#                  upsert (primary key id): `COPY t FROM STDIN` of the same
#                  rows into the empty table (the baseline), then
#                  JdbcSinkConnector on the topic, timed from its creation
#                  until the table has every row, and by the time its task
#                  spent in put() (connectd_sink_task_put_batch_time_seconds:
#                  the connector's own writing, without the worker's
#                  consumer and converter); and FileStreamSink on the same
#                  topic, the floor the worker's consumer and JsonConverter
#                  set
#
# Reports rows/s, the worker's CPU seconds and the ratio to COPY.  Never
# fails on a number.
set -euo pipefail

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_setup jdbc-bench "${1:-.}"
ROWS=${ROWS:-1000000}
RESULTS=()

pg_stop() {
    [ -n "${PG_DATA:-}" ] && pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true
}

# pg_as CMD...: CMD as the postgres user when we are root.
pg_as() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    PG_BIN=$(pg_config --bindir)
    PG_PORT=$(free_port)
    PG_DATA=$WORK/pg
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$WORK" "$PG_DATA"
    pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --no-sync >"$WORK/initdb.log" 2>&1
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/postgres.log" -w start \
        -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" >/dev/null
    trap 'pg_stop; bench_cleanup' EXIT
    psql_bench -d postgres -c "CREATE DATABASE bench" >/dev/null
}

psql_bench() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d bench "$@"
}

# The records in topic $1 of the worker's broker: the sum of its
# partitions' high watermarks (0 while it does not exist).  kcat asks the
# broker, as cheap as a metadata request; the worker's REST offsets would
# read the offsets topic at each call.
topic_records() {
    local parts p total=0
    parts=$(kcat -b "127.0.0.1:$BROKER_PORT" -L -t "$1" 2>/dev/null | grep -c "partition [0-9]*," || true)
    for ((p = 0; p < parts; p++)); do
        total=$((total + $(kcat -b "127.0.0.1:$BROKER_PORT" -Q -t "$1:$p:-1" 2>/dev/null | awk '{ print $NF }')))
    done
    echo "$total"
}

source_bench() {
    psql_bench -c "CREATE TABLE rows_src (id bigserial PRIMARY KEY, name text NOT NULL, amount numeric(10,2),
        created timestamp NOT NULL);
        INSERT INTO rows_src (name, amount, created) SELECT 'customer ' || g, g % 100000 / 100.0,
        '2024-01-01'::timestamp + g * interval '1 second' FROM generate_series(1, $ROWS) g"
    psql_bench -c "VACUUM ANALYZE rows_src"
    local t0 copy_secs secs cpu run batch schemas
    psql_bench -c "COPY (SELECT * FROM rows_src) TO STDOUT" >/dev/null
    t0=$(now)
    psql_bench -c "COPY (SELECT * FROM rows_src) TO STDOUT" >/dev/null
    copy_secs=$(seconds_since "$t0")
    RESULTS+=("| COPY (SELECT * FROM t) TO STDOUT | $(per_second "$ROWS" "$copy_secs") | | 1.00 |")
    for run in 1000:true 10000:true 1000:false; do
        batch=${run%:*}
        schemas=${run#*:}
        cat >"$WORK/source.properties" <<EOF
name=jdbc-bench
connector.class=io.confluent.connect.jdbc.JdbcSourceConnector
connection.url=jdbc:postgresql://127.0.0.1:$PG_PORT/bench
connection.user=postgres
table.whitelist=rows_src
mode=incrementing
incrementing.column.name=id
topic.prefix=bench-
batch.max.rows=$batch
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=$schemas
EOF
        BROKER_PORT=$(free_port)
        REST_PORT=$(free_port)
        rm -rf "$WORK/data"
        t0=$(now)
        "$CONNECTD" standalone "$SRC/etc/connect-standalone.properties" "$WORK/source.properties" \
            --override "broker.listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT" --override "broker.log.dirs=$WORK/data" \
            --override "listeners=http://127.0.0.1:$REST_PORT" \
            2>"$WORK/worker.log" &
        WORKER_PID=$!
        until [ "$(topic_records bench-rows_src)" -ge "$ROWS" ]; do
            worker_alive
            sleep 0.2
        done
        secs=$(seconds_since "$t0")
        cpu=$(cpu_seconds "$WORKER_PID")
        stop_worker
        RESULTS+=("| JdbcSourceConnector, batch.max.rows=$batch, JsonConverter schemas.enable=$schemas | $(per_second "$ROWS" "$secs") | $cpu | $(ratio "$copy_secs" "$secs") |")
    done
}

# The seconds connector $1's task spent in put().
put_seconds() {
    curl -sf "http://127.0.0.1:$REST_PORT/metrics" |
        awk -v c="connector=\"$1\"" '/^connectd_sink_task_put_batch_time_seconds_sum\{/ && index($0, c) { print $NF }'
}

# sink_until NAME TABLE: waits until TABLE has SINK_ROWS rows.
sink_until() {
    until [ "$(psql_bench -Atc "SELECT count(*) FROM $2" 2>/dev/null || echo 0)" -ge "$SINK_ROWS" ]; do
        worker_alive
        sleep 0.05
    done
}

# sink_connector NAME MODE TABLE [EXTRA_JSON]: POSTs a JdbcSinkConnector.
sink_connector() {
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$REST_PORT/connectors" -d "
{\"name\": \"$1\", \"config\": {\"connector.class\": \"io.confluent.connect.jdbc.JdbcSinkConnector\",
 \"topics\": \"bench-sink\", \"connection.url\": \"jdbc:postgresql://127.0.0.1:$PG_PORT/bench\",
 \"connection.user\": \"postgres\", \"table.name.format\": \"$3\", \"insert.mode\": \"$2\"${4:-}}}"
}

sink_bench() {
    SINK_ROWS=${SINK_ROWS:-200000}
    # The records (JsonConverter's envelope) and the same rows as CSV.
    /usr/bin/python3 - "$SINK_ROWS" "$WORK/sink.json" "$WORK/sink.csv" <<'PY'
import base64, json, sys, time
n, out, csv = int(sys.argv[1]), open(sys.argv[2], "w"), open(sys.argv[3], "w")
fields = [{"field": "id", "type": "int32", "optional": False}, {"field": "name", "type": "string", "optional": False},
          {"field": "qty", "type": "int64", "optional": True},
          {"field": "price", "type": "bytes", "optional": True, "name": "org.apache.kafka.connect.data.Decimal",
           "parameters": {"scale": "2"}},
          {"field": "at", "type": "int64", "optional": False, "name": "org.apache.kafka.connect.data.Timestamp"}]
schema = {"type": "struct", "fields": fields, "optional": False, "name": "bench"}
for i in range(n):
    cents, at = 100 + i % 100000, 1700000000000 + i
    price = base64.b64encode(cents.to_bytes((cents.bit_length() + 8) // 8, "big", signed=True)).decode()
    payload = {"id": i, "name": "item-%d" % i, "qty": i % 7, "price": price, "at": at}
    out.write(json.dumps({"schema": schema, "payload": payload}, separators=(",", ":")) + "\n")
    ts = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(at // 1000)) + ".%03d" % (at % 1000)
    csv.write("%d,item-%d,%d,%d.%02d,%s\n" % (i, i, i % 7, cents // 100, cents % 100, ts))
PY
    start_worker org.apache.kafka.connect.json.JsonConverter idle
    until curl -sf "http://127.0.0.1:$REST_PORT/" >/dev/null 2>&1; do sleep 0.05; done
    kcat -b "127.0.0.1:$BROKER_PORT" -P -t bench-sink -p 0 -X queue.buffering.max.messages=1000000 <"$WORK/sink.json"
    local mode table key t0 copy_secs insert_copy_secs secs put_secs cpu0 cpu
    for mode in insert upsert; do
        table=sink_$mode
        key=
        [ "$mode" = upsert ] && key=", PRIMARY KEY (id)"
        psql_bench -c "CREATE TABLE $table (id int NOT NULL, name text NOT NULL, qty bigint, price numeric,
            at timestamp NOT NULL$key)"
        t0=$(now)
        psql_bench -c "\\copy $table FROM '$WORK/sink.csv' CSV"
        copy_secs=$(seconds_since "$t0")
        [ "$mode" = insert ] && insert_copy_secs=$copy_secs
        psql_bench -c "TRUNCATE $table"
        psql_bench -c "VACUUM ANALYZE $table"
        RESULTS+=("| COPY $table FROM STDIN | $(per_second "$SINK_ROWS" "$copy_secs") | | | 1.00 | |")
        cpu0=$(cpu_seconds "$WORKER_PID")
        t0=$(now)
        if [ "$mode" = upsert ]; then
            sink_connector "sink-$mode" "$mode" "$table" ', "pk.mode": "record_value", "pk.fields": "id"'
        else
            sink_connector "sink-$mode" "$mode" "$table"
        fi
        sink_until "sink-$mode" "$table"
        secs=$(seconds_since "$t0")
        cpu=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$WORKER_PID")" 'BEGIN { printf "%.2f", b - a }')
        put_secs=$(put_seconds "sink-$mode")
        curl -sf -o /dev/null -X DELETE "http://127.0.0.1:$REST_PORT/connectors/sink-$mode"
        RESULTS+=("| JdbcSinkConnector, insert.mode=$mode | $(per_second "$SINK_ROWS" "$secs") | $(per_second "$SINK_ROWS" "$put_secs") | $cpu | $(ratio "$copy_secs" "$secs") | $(ratio "$copy_secs" "$put_secs") |")
    done
    # The floor: the worker's consumer and JsonConverter, into a file.
    cpu0=$(cpu_seconds "$WORKER_PID")
    t0=$(now)
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$REST_PORT/connectors" -d "
{\"name\": \"floor\", \"config\": {\"connector.class\": \"FileStreamSink\", \"topics\": \"bench-sink\",
 \"file\": \"$WORK/floor.txt\"}}"
    until [ "$(wc -l <"$WORK/floor.txt" 2>/dev/null || echo 0)" -ge "$SINK_ROWS" ]; do
        worker_alive
        sleep 0.05
    done
    secs=$(seconds_since "$t0")
    cpu=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$WORKER_PID")" 'BEGIN { printf "%.2f", b - a }')
    RESULTS+=("| FileStreamSink (the worker's floor) | $(per_second "$SINK_ROWS" "$secs") | | $cpu | $(ratio "$insert_copy_secs" "$secs") | |")
    stop_worker
}

main() {
    pg_start
    source_bench
    echo "| JDBC source ($ROWS rows: bigserial, text, numeric(10,2), timestamp) | rows/s | worker CPU s | vs COPY |"
    echo "|---|---|---|---|"
    printf '%s\n' "${RESULTS[@]}"
    RESULTS=()
    sink_bench
    echo
    echo "| JDBC sink ($SINK_ROWS rows: int, text, bigint, Decimal, Timestamp) | rows/s | in put() rows/s | worker CPU s | vs COPY | put() vs COPY |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${RESULTS[@]}"
    echo
    echo "$(nproc) cores; PostgreSQL $(psql_bench -Atc 'SHOW server_version'); $(date -u +%Y-%m-%d)."
}

main
