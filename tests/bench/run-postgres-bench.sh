#!/bin/bash
# run-postgres-bench.sh - the PostgreSQL CDC source (issue 14) against
# PostgreSQL's own clients, in the same run.
#
#   tests/bench/run-postgres-bench.sh [BUILD_DIR]     (default: the current directory)
#
# Starts its own PostgreSQL from Debian's packages (initdb in $WORK as the
# postgres user when run as root, wal_level=logical, a random loopback port,
# the socket in $WORK) and, for each run of the connector, a fresh
# `connectd standalone` with its embedded broker (JsonConverter with
# schemas, as etc/connect-standalone.properties has it), the connector
# POSTed once REST answers.  Each workload runs the baseline and the
# connector in turn, REPS (2) times the connector and REPS + 1 times the
# baseline (first and last), and the table has the medians:
#
#   drain     ROWS (1,000,000) single-row inserts written while nothing
#             reads them, after all the slots were made (publication first):
#             once in BIG_TXNS (10) transactions, once in one transaction
#             per row.  The connector is timed from the POST until the
#             topic's end offset is ROWS; the baseline is `pg_recvlogical
#             --plugin=pgoutput -o proto_version=1 -o publication_names=...`
#             draining an identical slot to /dev/null up to the backlog's
#             end LSN (--endpos).  Goal >= 0.8x.
#   snapshot  a table of ROWS rows read by the connector's snapshot
#             (snapshot.mode=initial: op "r" events), from the POST until
#             the topic holds ROWS records, against `COPY (SELECT * FROM
#             ...) TO STDOUT` through psql to /dev/null.  Without op "r"
#             events the row says "not measured".
#   latency   pgbench inserting one row per transaction at RATE (1000)
#             transactions/s for PGBENCH_SECS (20) s from PGBENCH_CLIENTS
#             (4) connections (commits are durable, so one connection
#             alone waits on each fsync); commit -> consumer
#             latency (cdc_latency.py: the commit timestamp in the event's
#             source.ts_us or in pgoutput's Commit, the arrival stamped by
#             a reader of the topic (kcat) or of pg_recvlogical's output
#             on the same host clock).  Goal p99 <= 50 ms.
#
# For the connector: the worker's CPU seconds during the workload and its
# peak RSS (VmHWM: the worker includes the embedded broker), and the CPU of
# the walsender serving it; for the baselines the client's CPU seconds and
# the walsender's.  PHASES (default "drain-big drain-small snapshot
# latency") picks workloads; SCHEMAS=false has the connector's JsonConverter
# write bare payloads instead of schema-and-payload envelopes (how much of
# the worker's time is the converter's).  A benchmark, not a test: it never
# fails on a number.
set -euo pipefail

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_setup postgres-bench "${1:-.}"
ROWS=${ROWS:-1000000}
REPS=${REPS:-2}
BIG_TXNS=${BIG_TXNS:-10}
RATE=${RATE:-1000}
PGBENCH_SECS=${PGBENCH_SECS:-20}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-4}
PHASES=${PHASES:-drain-big drain-small snapshot latency}
CONVERTER=org.apache.kafka.connect.json.JsonConverter
SCHEMAS=${SCHEMAS:-true}
PG_BIN=${PG_BINDIR:-$(find /usr/lib/postgresql -path '*/bin/postgres' 2>/dev/null | sort -V | tail -1 |
    xargs -r dirname)}
[ -x "$PG_BIN/postgres" ] || { echo "PostgreSQL not installed: apt-get install postgresql" >&2; exit 1; }
PG_DIR=$WORK/pg
PG_PASSWORD=connectd-bench-pw
PG_PID=
EXTRA_PIDS=()
export PGPASSWORD=$PG_PASSWORD

pg_bench_cleanup() {
    local pid
    for pid in "${EXTRA_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    if [ -n "$PG_PID" ]; then
        kill -INT "$PG_PID" 2>/dev/null && wait "$PG_PID" 2>/dev/null
    fi
    bench_cleanup
}
trap pg_bench_cleanup EXIT

# ---- PostgreSQL -------------------------------------------------------------

# AS_PG: the prefix that runs a command as the postgres user when we are
# root (initdb refuses root); setpriv execs, so $! is the server itself.
AS_PG=()
[ "$(id -u)" = 0 ] && AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --)

start_postgres() {
    mkdir "$PG_DIR"
    if [ "$(id -u)" = 0 ]; then
        chmod 711 "$WORK"
        chown postgres: "$PG_DIR"
    fi
    echo "$PG_PASSWORD" >"$WORK/pwfile"
    chmod 644 "$WORK/pwfile"
    "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --pwfile="$WORK/pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --no-sync >"$WORK/initdb.log" 2>&1 ||
        { cat "$WORK/initdb.log" >&2; exit 1; }
    PG_PORT=$(free_port)
    # Durable as a server is by default (fsync, synchronous_commit on); the
    # sessions writing a backlog turn synchronous_commit off for themselves.
    "${AS_PG[@]}" "$PG_BIN/postgres" -D "$PG_DIR/data" -p "$PG_PORT" -k "$PG_DIR" -c listen_addresses=127.0.0.1 \
        -c wal_level=logical -c max_wal_senders=10 -c max_replication_slots=10 -c shared_buffers=256MB \
        -c max_wal_size=8GB -c log_min_messages=warning >"$WORK/postgres.log" 2>&1 &
    PG_PID=$!
    for _ in $(seq 300); do
        "$PG_BIN/pg_isready" -q -h "$PG_DIR" -p "$PG_PORT" && return 0
        kill -0 "$PG_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "postgres did not start:" >&2
    cat "$WORK/postgres.log" >&2
    exit 1
}

# sql QUERY [DB]: over the unix socket (trust); the rows unaligned.
sql() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d "${2:-bench}" -A -t -c "$1"
}

# The connection string the clients use to measure: TCP with a password, as the connector.
conninfo() { echo "host=127.0.0.1 port=$PG_PORT user=postgres dbname=bench sslmode=disable"; }

make_slot() { sql "SELECT pg_create_logical_replication_slot('$1', 'pgoutput')" >/dev/null; }

# drop_slot NAME: once no client holds it any more (a walsender exits a
# moment after its client).
drop_slot() {
    for _ in $(seq 100); do
        [ "$(sql "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$1' AND NOT active")" = 1 ] && break
        sleep 0.1
    done
    sql "SELECT pg_drop_replication_slot('$1')" >/dev/null
}

# walsender_pid SLOT: the server process streaming SLOT, or nothing.
walsender_pid() { sql "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '$1' AND active"; }

# The CPU seconds of a process, or $2 (the last reading) once it is gone.
cpu_or() { cpu_seconds "$1" 2>/dev/null || echo "$2"; }

# ---- the worker -------------------------------------------------------------

# start_connector NAME SLOT TABLE SNAPSHOT_MODE: a fresh idle worker (with
# its embedded broker), then the connector POSTed once REST answers;
# T0 is the moment of the POST, CPU0 the worker's CPU seconds then.
# Records go to the topic bench.public.TABLE.
start_connector() {
    start_worker "$CONVERTER" idle
    until curl -sf "http://127.0.0.1:$REST_PORT/" >/dev/null 2>&1; do
        worker_alive
        sleep 0.05
    done
    CPU0=$(cpu_seconds "$WORKER_PID")
    T0=$(now)
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$REST_PORT/connectors" -d "
{\"name\": \"$1\", \"config\": {
  \"connector.class\": \"io.debezium.connector.postgresql.PostgresConnector\",
  \"database.hostname\": \"127.0.0.1\", \"database.port\": \"$PG_PORT\",
  \"database.user\": \"postgres\", \"database.password\": \"$PG_PASSWORD\",
  \"database.dbname\": \"bench\", \"database.sslmode\": \"disable\",
  \"topic.prefix\": \"bench\", \"table.include.list\": \"public.$3\",
  \"slot.name\": \"$2\", \"publication.name\": \"bench_pub\", \"publication.autocreate.mode\": \"disabled\",
  \"snapshot.mode\": \"$4\",
  \"key.converter\": \"$CONVERTER\", \"key.converter.schemas.enable\": \"$SCHEMAS\",
  \"value.converter\": \"$CONVERTER\", \"value.converter.schemas.enable\": \"$SCHEMAS\"}}" ||
        { echo "POST /connectors failed" >&2; cat "$WORK/worker.log" >&2; exit 1; }
}

# stop_connector: the worker's peak RSS into PEAK_RSS, then the worker stopped.
stop_connector() {
    PEAK_RSS=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$WORKER_PID/status")
    stop_worker
}

# end_offset TOPIC: the end offset of partition 0 (0 while the topic does not exist).
end_offset() {
    local out
    out=$(kcat -Q -b "127.0.0.1:$BROKER_PORT" -t "$1:0:-1" 2>/dev/null) || { echo 0; return; }
    awk '/^[^ ]+ \[0\] offset [0-9]+/ { print $4; found = 1 } END { if (!found) print 0 }' <<<"$out"
}

# wait_topic TOPIC COUNT [WALSENDER_SLOT]: until TOPIC's end offset is
# COUNT; SECS from T0, WORKER_CPU the worker's CPU seconds since, WS_CPU the
# walsender's (of slot WALSENDER_SLOT) when done.
wait_topic() {
    local ws=""
    while [ "$(end_offset "$1")" -lt "$2" ]; do
        worker_alive
        sleep 0.1
    done
    SECS=$(seconds_since "$T0")
    WORKER_CPU=$(awk -v a="$CPU0" -v b="$(cpu_seconds "$WORKER_PID")" 'BEGIN { printf "%.2f", b - a }')
    ws=$(walsender_pid "${3:-}")
    WS_CPU=$([ -n "$ws" ] && cpu_seconds "$ws" || echo "?")
}

# ---- the backlog drain --------------------------------------------------------

# recvlogical_drain SLOT END_LSN: pg_recvlogical draining SLOT to /dev/null
# up to END_LSN; SECS, CLIENT_CPU (user + system) and WS_CPU (its walsender,
# sampled until it exits).
recvlogical_drain() {
    local t0 pid ws="" ws_cpu="?"
    t0=$(now)
    (
        TIMEFORMAT='%U %S'
        { time "$PG_BIN/pg_recvlogical" -d "$(conninfo)" --slot="$1" --start --plugin=pgoutput --no-loop \
            -o proto_version=1 -o publication_names=bench_pub --endpos="$2" -f /dev/null; } 2>"$WORK/recv.time"
    ) &
    pid=$!
    EXTRA_PIDS=("$pid")
    while kill -0 "$pid" 2>/dev/null; do
        [ -z "$ws" ] && ws=$(walsender_pid "$1")
        [ -n "$ws" ] && ws_cpu=$(cpu_or "$ws" "$ws_cpu")
        sleep 0.05
    done
    wait "$pid" || { echo "pg_recvlogical failed:" >&2; cat "$WORK/recv.time" >&2; exit 1; }
    SECS=$(seconds_since "$t0")
    EXTRA_PIDS=()
    CLIENT_CPU=$(tail -1 "$WORK/recv.time" | awk '{ printf "%.2f", $1 + $2 }')
    WS_CPU=$ws_cpu
}

write_big_txns() {
    local per=$((ROWS / BIG_TXNS)) i
    for i in $(seq 0 $((BIG_TXNS - 1))); do
        PGOPTIONS="-c synchronous_commit=off" sql "INSERT INTO bench_rows
             SELECT g, g % 1000, (g % 100000) / 100.0, 'row ' || g || ' of the backlog', now(), g % 2 = 0
             FROM generate_series($((i * per + 1)), $(((i + 1) * per))) g"
    done
}

# One transaction per row, written by two sessions at once (a procedure's
# COMMIT ends each row's transaction).
write_small_txns() {
    local half=$((ROWS / 2)) pids=() lo hi
    for lo in 1 $((half + 1)); do
        hi=$([ "$lo" = 1 ] && echo "$half" || echo "$ROWS")
        PGOPTIONS="-c synchronous_commit=off" sql "DO \$\$ BEGIN
               FOR g IN $lo..$hi LOOP
                 INSERT INTO bench_rows VALUES (g, g % 1000, (g % 100000) / 100.0,
                                                'row ' || g || ' of the backlog', now(), g % 2 = 0);
                 COMMIT;
               END LOOP;
             END \$\$" &
        pids+=($!)
    done
    for lo in "${pids[@]}"; do
        wait "$lo"
    done
}

declare -A R
# add KEY VALUE: appends VALUE to the list R[KEY] (one value per run).
add() { R[$1]="${R[$1]:-} $2"; }
# med KEY: the median of the list R[KEY] (of an even count, the mean of the
# middle two: bench_lib's median takes the lower, which of REPS=2 would be
# the best run rather than a median).
med() {
    tr ' ' '\n' <<<"${R[$1]:-}" | grep . | sort -g |
        awk '{ a[NR] = $1 }
             END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# drain LABEL WRITER: slots b1, c1, b2, c2, ... b<REPS+1> made, the backlog
# written, then each drained in that order: pg_recvlogical and the
# connector alternate, so a change in the machine's load falls on both.
drain() {
    local label=$1 end i
    sql "TRUNCATE bench_rows"
    for i in $(seq $((REPS + 1))); do
        make_slot "${label}_b$i"
        if [ "$i" -le "$REPS" ]; then
            make_slot "${label}_c$i"
        fi
    done
    echo "bench: $label: writing $ROWS rows" >&2
    "$2"
    end=$(sql "SELECT pg_current_wal_lsn()")
    echo "bench: $label: backlog of $(sql "SELECT pg_size_pretty(pg_wal_lsn_diff('$end', confirmed_flush_lsn))
          FROM pg_replication_slots WHERE slot_name = '${label}_b1'") of WAL, up to $end" >&2
    for i in $(seq $((REPS + 1))); do
        recvlogical_drain "${label}_b$i" "$end"
        add "$label.b" "$SECS"
        add "$label.b_cpu" "$CLIENT_CPU"
        add "$label.b_ws" "$WS_CPU"
        drop_slot "${label}_b$i"
        echo "bench: $label: pg_recvlogical $SECS s" >&2
        [ "$i" -le "$REPS" ] || break
        start_connector "bench-$label-$i" "${label}_c$i" bench_rows no_data
        wait_topic bench.public.bench_rows "$ROWS" "${label}_c$i"
        add "$label.c" "$SECS"
        add "$label.c_cpu" "$WORKER_CPU"
        add "$label.c_ws" "$WS_CPU"
        stop_connector
        add "$label.c_rss" "$PEAK_RSS"
        drop_slot "${label}_c$i"
        echo "bench: $label: connector $SECS s" >&2
    done
}

# ---- the snapshot ------------------------------------------------------------

# copy_table: COPY of snap_rows through psql (TCP, as the connector) to
# /dev/null; SECS and CLIENT_CPU.
copy_table() {
    local t0
    t0=$(now)
    (
        TIMEFORMAT='%U %S'
        { time "$PG_BIN/psql" -X -q -d "$(conninfo)" -c "COPY (SELECT * FROM public.snap_rows) TO STDOUT" \
            >/dev/null; } 2>"$WORK/copy.time"
    )
    SECS=$(seconds_since "$t0")
    CLIENT_CPU=$(tail -1 "$WORK/copy.time" | awk '{ printf "%.2f", $1 + $2 }')
}

# snapshot_connector I: the connector's snapshot of snap_rows into a fresh
# worker, on slot snap_cI; SNAP_NOTE says why when there was none.  The
# walsender only starts once the snapshot is done: its CPU is not counted.
snapshot_connector() {
    local first op waited=0
    start_connector "bench-snapshot-$1" "snap_c$1" snap_rows initial
    # The first record, or 20 s of an empty topic while the slot streams.
    while [ "$(end_offset bench.public.snap_rows)" -lt 1 ]; do
        worker_alive
        [ -n "$(walsender_pid "snap_c$1")" ] && waited=$((waited + 1))
        if [ "$waited" -ge 200 ]; then
            SNAP_NOTE="not measured: connector has no snapshot (no record 20 s after it began streaming)"
            break
        fi
        sleep 0.1
    done
    if [ -z "$SNAP_NOTE" ]; then
        first=$(kcat -C -b "127.0.0.1:$BROKER_PORT" -t bench.public.snap_rows -o beginning -c 1 -e -q -f '%s')
        op=$(/usr/bin/python3 -c 'import json, sys; v = json.loads(sys.argv[1]); print(v.get("payload", v)["op"])' \
            "$first")
        [ "$op" = r ] || SNAP_NOTE="not measured: connector has no snapshot (first record has op \"$op\")"
    fi
    if [ -z "$SNAP_NOTE" ]; then
        wait_topic bench.public.snap_rows "$ROWS"
        add snap.c "$SECS"
        add snap.c_cpu "$WORKER_CPU"
        echo "bench: snapshot: connector $SECS s" >&2
    fi
    stop_connector
    add snap.c_rss "$PEAK_RSS"
    drop_slot "snap_c$1"
}

# snapshot: COPY and the connector's snapshot alternate, COPY first and last.
snapshot() {
    local i
    sql "CREATE TABLE snap_rows (LIKE bench_rows INCLUDING ALL);
         INSERT INTO snap_rows SELECT g, g % 1000, (g % 100000) / 100.0, 'row ' || g || ' of the table', now(),
                                      g % 2 = 0 FROM generate_series(1, $ROWS) g"
    sql "VACUUM ANALYZE snap_rows"
    copy_table # warms the cache for both
    SNAP_NOTE=
    for i in $(seq $((REPS + 1))); do
        copy_table
        add snap.b "$SECS"
        add snap.b_cpu "$CLIENT_CPU"
        echo "bench: snapshot: COPY $SECS s" >&2
        [ "$i" -le "$REPS" ] || break
        # Without a snapshot the connector is not run again: there is nothing to time.
        if [ -z "$SNAP_NOTE" ]; then
            snapshot_connector "$i"
        fi
    done
}

# ---- keeping up with pgbench -----------------------------------------------------

# lat_workload READER_OUT: the warm row, pgbench at RATE for PGBENCH_SECS,
# then the end row that stops the reader; waits for the reader (at most 60 s).
lat_workload() {
    sql "INSERT INTO lat (payload) VALUES ('warm')"
    sleep 2
    "$PG_BIN/pgbench" -n -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "$PGBENCH_CLIENTS" -j 2 -R "$RATE" \
        -T "$PGBENCH_SECS" -f "$WORK/insert.sql" bench >"$WORK/pgbench.out" 2>&1 ||
        { cat "$WORK/pgbench.out" >&2; exit 1; }
    PGBENCH_TPS=$(awk '/^tps = / { printf "%.0f", $3 }' "$WORK/pgbench.out")
    sql "INSERT INTO lat (payload) VALUES ('end')"
    for _ in $(seq 600); do
        kill -0 "$READER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$READER_PID" 2>/dev/null || true
    wait "$READER_PID" || true
}

# lat_result KIND RUN: the reader's line of RUN added to KIND's lists.
lat_result() {
    local v
    v=$(cat "$WORK/$2.out")
    echo "bench: latency: $2: tps $PGBENCH_TPS $v" >&2
    add "$1.tps" "$PGBENCH_TPS"
    add "$1.n" "$(field n "$v")"
    add "$1.p50" "$(field p50_ms "$v")"
    add "$1.p99" "$(field p99_ms "$v")"
    add "$1.max" "$(field max_ms "$v")"
    # The worst 5 s window's p99: whether the lag stays bounded.
    add "$1.wp99" "$(field w_p99_ms "$v" | tr ',' '\n' | sort -g | tail -1)"
}

latency_recvlogical() {
    local recv
    make_slot "$1"
    rm -f "$WORK/stream"
    mkfifo "$WORK/stream"
    "$PG_BIN/pg_recvlogical" -d "$(conninfo)" --slot="$1" --start --plugin=pgoutput --no-loop \
        -o proto_version=1 -o publication_names=bench_pub -f - >"$WORK/stream" 2>"$WORK/recv.log" &
    recv=$!
    /usr/bin/python3 "$SRC/tests/bench/cdc_latency.py" pgoutput <"$WORK/stream" >"$WORK/$1.out" &
    READER_PID=$!
    EXTRA_PIDS=("$recv" "$READER_PID")
    CPU0=$(cpu_seconds "$recv")
    lat_workload
    add lat_b.ws "$(cpu_seconds "$(walsender_pid "$1")")"
    add lat_b.cpu "$(awk -v a="$CPU0" -v b="$(cpu_seconds "$recv")" 'BEGIN { printf "%.2f", b - a }')"
    kill "$recv"
    wait "$recv" || true
    EXTRA_PIDS=()
    lat_result lat_b "$1"
    drop_slot "$1"
}

latency_connector() {
    local kcat_pid
    make_slot "$1"
    start_connector "bench-latency-$1" "$1" lat no_data
    sql "INSERT INTO lat (payload) VALUES ('warm')"
    T0=$(now)
    wait_topic bench.public.lat 1
    rm -f "$WORK/stream"
    mkfifo "$WORK/stream"
    kcat -C -u -q -b "127.0.0.1:$BROKER_PORT" -t bench.public.lat -o beginning -f '%s\n' >"$WORK/stream" &
    kcat_pid=$!
    /usr/bin/python3 "$SRC/tests/bench/cdc_latency.py" debezium <"$WORK/stream" >"$WORK/$1.out" &
    READER_PID=$!
    EXTRA_PIDS=("$kcat_pid" "$READER_PID")
    CPU0=$(cpu_seconds "$WORKER_PID")
    lat_workload
    add lat_c.ws "$(cpu_seconds "$(walsender_pid "$1")")"
    add lat_c.cpu "$(awk -v a="$CPU0" -v b="$(cpu_seconds "$WORKER_PID")" 'BEGIN { printf "%.2f", b - a }')"
    kill "$kcat_pid"
    wait "$kcat_pid" || true
    EXTRA_PIDS=()
    stop_connector
    add lat_c.rss "$PEAK_RSS"
    lat_result lat_c "$1"
    drop_slot "$1"
}

# latency: pg_recvlogical and the connector alternate, pg_recvlogical first and last.
latency() {
    local i
    echo "INSERT INTO lat (payload) VALUES ('a row of pgbench, about one hundred bytes of text like an order line');" \
        >"$WORK/insert.sql"
    for i in $(seq $((REPS + 1))); do
        latency_recvlogical "lat_b$i"
        [ "$i" -le "$REPS" ] || break
        latency_connector "lat_c$i"
    done
}

# ---- the run -----------------------------------------------------------------

start_postgres
sql "CREATE DATABASE bench" postgres >/dev/null
# The publication before any slot: pgoutput reads it as of the WAL it decodes.
sql "CREATE TABLE bench_rows (id bigint PRIMARY KEY, account int NOT NULL, amount numeric(12,2), label text,
                              created timestamptz, flag boolean);
     CREATE TABLE lat (id bigserial PRIMARY KEY, payload text NOT NULL);
     CREATE PUBLICATION bench_pub FOR ALL TABLES"
for phase in $PHASES; do
    case $phase in
        drain-big) drain big write_big_txns ;;
        drain-small) drain small write_small_txns ;;
        snapshot) snapshot ;;
        latency) latency ;;
        *) echo "unknown phase $phase" >&2; exit 1 ;;
    esac
done

# ---- the tables ------------------------------------------------------------------

# rate SECS: ROWS per second.
rate() { per_second "$ROWS" "$1"; }

echo "| workload | connectd | baseline | ratio | goal | worker CPU s | peak RSS MB | walsender CPU s (connectd / baseline) | baseline client CPU s |"
echo "|---|---|---|---|---|---|---|---|---|"
for label in big small; do
    [ -n "${R[$label.c]:-}" ] || continue
    what=$([ "$label" = big ] && echo "$BIG_TXNS transactions" || echo "1 row per transaction")
    echo "| drain of a $ROWS-change backlog, $what (rows/s) | $(rate "$(med "$label.c")") | pg_recvlogical $(rate "$(med "$label.b")") | $(ratio "$(med "$label.b")" "$(med "$label.c")") | ≥ 0.8 | $(med "$label.c_cpu") | $(med "$label.c_rss") | $(med "$label.c_ws") / $(med "$label.b_ws") | $(med "$label.b_cpu") |"
done
if [ -n "${R[snap.b]:-}" ]; then
    if [ -n "${R[snap.c]:-}" ]; then
        echo "| snapshot of a $ROWS-row table (rows/s) | $(rate "$(med snap.c)") | COPY $(rate "$(med snap.b)") | $(ratio "$(med snap.b)" "$(med snap.c)") | - | $(med snap.c_cpu) | $(med snap.c_rss) | - | $(med snap.b_cpu) |"
    else
        echo "| snapshot of a $ROWS-row table (rows/s) | $SNAP_NOTE | COPY $(rate "$(med snap.b)") | - | - | | $(med snap.c_rss) | | $(med snap.b_cpu) |"
    fi
fi
if [ -n "${R[lat_c.p99]:-}" ]; then
    # lat KIND: its medians, p50 / p99 / max and the worst 5 s window's p99.
    lat() { echo "$(med "$1.p50") / $(med "$1.p99") / $(med "$1.max") ($(med "$1.wp99"))"; }
    tps_c=$(per_second "$(med lat_c.tps)" 1)
    tps_b=$(per_second "$(med lat_b.tps)" 1)
    echo "| pgbench 1 row/txn at $RATE tps for $PGBENCH_SECS s (tps $tps_c / $tps_b): commit → consumer ms, p50 / p99 / max (worst 5 s p99) | $(lat lat_c) | pg_recvlogical $(lat lat_b) | $(ratio "$(med lat_b.p99)" "$(med lat_c.p99)") (p99) | p99 ≤ 50 ms | $(med lat_c.cpu) | $(med lat_c.rss) | $(med lat_c.ws) / $(med lat_b.ws) | $(med lat_b.cpu) |"
fi
echo
if [ -n "${R[lat_c.p99]:-}" ] && [ $((tps_c < RATE * 95 / 100 || tps_b < RATE * 95 / 100)) = 1 ]; then
    echo "pgbench did not reach $RATE tps (the machine is too busy): the latencies are of a lighter load than asked."
fi
echo "Ratio: the baseline's median time (or latency) / the connector's, so above 1 the connector is faster. Medians of $REPS connector runs and $((REPS + 1)) baseline runs, alternating; $(nproc) cores; $(date -u +%Y-%m-%d); load average $(cut -d' ' -f1-3 /proc/loadavg)."
