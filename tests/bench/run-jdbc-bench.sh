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

main() {
    pg_start
    source_bench
    echo "| JDBC source ($ROWS rows: bigserial, text, numeric(10,2), timestamp) | rows/s | worker CPU s | vs COPY |"
    echo "|---|---|---|---|"
    printf '%s\n' "${RESULTS[@]}"
    echo
    echo "$(nproc) cores; PostgreSQL $(psql_bench -Atc 'SHOW server_version'); $(date -u +%Y-%m-%d)."
}

main
