#!/bin/bash
# run-librdkafka-suite.sh - librdkafka's own integration test suite against connectd brokers.
#
#   tests/conformance/run-librdkafka-suite.sh [options] [BUILD_DIR]   (default: the current directory)
#
#   --tests 0001,0045     only these test numbers (default: every applicable one)
#   --jobs N              run N test numbers at once, each against its own broker (default 1)
#   --timeout SECS        kill a test number's runner after this long (default 900)
#   --logs DIR            keep the runner's and the broker's logs of every failure in DIR
#                         (default: a fresh /tmp/librdkafka-suite-logs.XXXXXX, removed if all pass)
#   --kafka-version V     the broker version the runner is told (default 2.4.0, the runner's own)
#
# The suite is the numbered tests under tests/ of librdkafka 2.0.2's source, the version
# Debian bookworm ships.  The source is downloaded with `apt-get source` into
# ${XDG_CACHE_HOME:-$HOME/.cache}/connectd/ on first use (never committed) and its test
# runner built there.  The runner runs with the library built from that same source, as the
# suite's run-test.sh does (LD_LIBRARY_PATH=../src): the system's librdkafka1 is the same
# version, but it does not export the internals the runner calls.
#
# Each test number (and each of its test scenarios) gets a fresh `connectd broker` with
# Kafka's defaults and a fresh log.dirs: the "default" scenario as librdkafka's trivup
# clusters run it (num.partitions=4, auto.create.topics.enable=true, Kafka's
# group.initial.rebalance.delay.ms of 3000), "noautocreate" with auto-creation off.  The
# runner's entries (rows of tests/test.c) are counted one by one: an entry passes when
# the runner reports it PASSED and the runner exits 0.  Local entries (flag TEST_F_LOCAL:
# no broker, or librdkafka's own mock cluster) test the client only and are left out
# (-L); so are those in EXCLUDED below, each with its reason (docs/broker.md lists them),
# and the subtests SUBTESTS_ONLY leaves out of a few test numbers.
#
# Tests that call Kafka's kafka-topics.sh get a stand-in (KAFKA_PATH/bin/kafka-topics.sh)
# that runs `connectctl topics` with the same arguments.  Other Kafka tools (kafka-acls.sh,
# the Java client) are absent, and a test needing them fails saying so.
#
# Prints a line per failing entry and `librdkafka-suite: N passed, M failed`; exit code 1
# if any failed.  A broker that crashes, stops answering or does not stop on SIGTERM is
# reported on a line starting with `BROKER`.  About 35 minutes; not part of `make check`.
set -euo pipefail

RDKAFKA_VERSION=2.0.2
RDKAFKA_DEB_VERSION=2.0.2-1

# Entries that do not apply to a single connectd node yet, with the reason and the issue
# that will make them apply.  docs/broker.md carries the same list.
declare -A EXCLUDED=(
    [0028_long_topicnames]="librdkafka known issue (edenhill/librdkafka#529); its own CI skips it (-K)"
    [0045_subscribe_update_topic_remove]="librdkafka 2.0.2 cannot destroy a consumer whose topic was deleted: client bug fixed in 2.1.0 (confluentinc/librdkafka#4187; docs/broker.md)"
    [0047_partial_buf_tmout]="librdkafka known issue in the client; its own CI skips it (-K)"
    [0055_producer_latency]="its last case sets transactional.id: transactions (no issue yet); no SUBTESTS text selects the other cases, and librdkafka's own CI skips the whole test as timing-dependent"
    [0077_compaction]="log compaction: cleanup.policy=compact is accepted but not enforced (no issue yet)"
    [0081_admin]="calls CreateAcls, DescribeAcls and DeleteAcls unconditionally: ACLs (issue 19)"
    [0097_ssl_verify]="SSL listeners (issue 19)"
    [0098_consumer_txn]="transactions, driven by Kafka's Java producer (no issue yet)"
    [0101_fetch_from_follower]="follower replicas in several racks: several brokers (issue 17)"
    [0103_transactions]="transactions (no issue yet)"
    [0107_topic_recreate]="creates its topic with replication factor 3: several brokers (issue 17)"
    [0109_auto_create_topics]="adds a deny ACL with kafka-acls.sh (issue 19)"
    [0111_delay_create_topics]="creates its topic with replication factor 3: several brokers (issue 17)"
    [0113_cooperative_rebalance]="subtests h, i, j, n hit the 2.0.2 client bug of 0045; with its fix, subtest u crashes in the test's own code (docs/broker.md)"
    [0115_producer_auth]="ACLs with kafka-acls.sh (issue 19)"
    [0119_consumer_auth]="ACLs with kafka-acls.sh (issue 19)"
    [0126_oauthbearer_oidc]="SASL/OAUTHBEARER with an OIDC server (issue 19)"
    [0129_fetch_aborted_msgs]="transactions: aborted transactional batches (no issue yet)"
    [0135_sasl_credentials]="SASL (issue 19)"
)

# Test numbers run with only the subtests whose names contain the given text
# (the runner's SUBTESTS), because the others need something that does not
# apply yet, with the reason.  docs/broker.md carries the same list.
declare -A SUBTESTS_ONLY=(
    [0061]="without transactions"  # "with transactions": transactions (no issue yet)
)

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 2
}

ONLY=
JOBS=1
TIMEOUT=900
LOGS=
KAFKA_VERSION=2.4.0
BUILD=.
while [ $# -gt 0 ]; do
    case $1 in
        --tests) ONLY=$2; shift 2 ;;
        --jobs) JOBS=$2; shift 2 ;;
        --timeout) TIMEOUT=$2; shift 2 ;;
        --logs) LOGS=$2; shift 2 ;;
        --kafka-version) KAFKA_VERSION=$2; shift 2 ;;
        -h | --help) usage ;;
        -*) echo "unknown option $1" >&2; usage ;;
        *) BUILD=$1; shift ;;
    esac
done

BUILD=$(cd "$BUILD" && pwd)
CONNECTD=$BUILD/src/connectd
CONNECTCTL=$BUILD/src/connectctl
for bin in "$CONNECTD" "$CONNECTCTL"; do
    [ -x "$bin" ] || { echo "$bin not found: build connectd first (make) or give BUILD_DIR" >&2; exit 2; }
done
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/connectd
RDK=$CACHE/librdkafka-$RDKAFKA_VERSION
WORK=$(mktemp -d /tmp/connectd-rdksuite.XXXXXX)
KEEP_LOGS=1
if [ -z "$LOGS" ]; then
    LOGS=$(mktemp -d /tmp/librdkafka-suite-logs.XXXXXX)
    KEEP_LOGS=0
fi
mkdir -p "$LOGS"

cleanup() {
    local pidfile
    for pidfile in "$WORK"/*/broker.pid; do
        [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# What building and running the runner needs, installed when missing (Debian names).
ensure_packages() {
    local pkg missing=()
    for pkg in build-essential pkg-config python3 libssl-dev zlib1g-dev libzstd-dev liblz4-dev rapidjson-dev dpkg-dev; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing ${missing[*]}" >&2
    if [ "$(id -u)" -ne 0 ]; then
        echo "not root: install ${missing[*]} first" >&2
        exit 2
    fi
    apt-get install -y --no-install-recommends "${missing[@]}" >&2
    # The runner's configure looks for these (rapidjson for 0053): build it again.
    rm -f "$RDK/tests/test-runner"
}

# The source package into $CACHE, from the deb-src lines apt already has or, without
# any, from a temporary bookworm one that leaves the system's apt configuration alone.
download_source() {
    local orig=$CACHE/librdkafka_$RDKAFKA_VERSION.orig.tar.gz
    [ -f "$orig" ] && return 0
    mkdir -p "$CACHE"
    echo "downloading the librdkafka $RDKAFKA_DEB_VERSION source package into $CACHE" >&2
    if ! (cd "$CACHE" && apt-get source --download-only "librdkafka=$RDKAFKA_DEB_VERSION") >&2; then
        local apt=$WORK/apt
        mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
        echo "deb-src http://deb.debian.org/debian bookworm main" >"$apt/sources.list"
        local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/none"
            -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache")
        apt-get "${opts[@]}" update >&2
        (cd "$CACHE" && apt-get "${opts[@]}" source --download-only "librdkafka=$RDKAFKA_DEB_VERSION") >&2
    fi
    [ -f "$orig" ] || { echo "no $orig after apt-get source" >&2; exit 2; }
}

# librdkafka and its test runner, built once in the cache.
build_runner() {
    [ -x "$RDK/tests/test-runner" ] && return 0
    rm -rf "$RDK"
    tar -xzf "$CACHE/librdkafka_$RDKAFKA_VERSION.orig.tar.gz" -C "$CACHE"
    echo "building librdkafka $RDKAFKA_VERSION and its test runner in $RDK (a few minutes)" >&2
    (
        cd "$RDK"
        ./configure --disable-debug-symbols >"$RDK/build.log" 2>&1
        make -j"$(nproc)" libs >>"$RDK/build.log" 2>&1
        make -C tests -j"$(nproc)" build >>"$RDK/build.log" 2>&1
    ) || { echo "building the test runner failed; see $RDK/build.log" >&2; tail -20 "$RDK/build.log" >&2; exit 2; }
}

# Prints the runner's entries, one per line: NAME FLAGS SCENARIOS (FLAGS: local, manual or -).
list_entries() {
    /usr/bin/python3 - "$RDK/tests/test.c" <<'EOF'
import re, sys
src = open(sys.argv[1]).read()
table = src[src.index("struct test tests[] = {"):]
table = table[:table.index("{NULL}};")]
table = re.sub(r"/\*.*?\*/", "", table, flags=re.S)
for m in re.finditer(r"_TEST\(\s*(\w+)\s*,(.*?)\)\s*,\s*(?=_TEST|#|\Z)", table + "#", re.S):
    name, rest = m.group(1), m.group(2)
    flags = rest.split(",")[0]
    kind = "manual" if "TEST_F_MANUAL" in flags else "local" if "TEST_F_LOCAL" in flags else "-"
    scenario = re.search(r'\.scenario\s*=\s*"([^"]*)"', rest)
    print(name, kind, scenario.group(1).split(",")[0] if scenario else "default")
EOF
}

# The stand-in for Kafka's kafka-topics.sh: the same arguments, minus where to connect.
write_kafka_path() {
    mkdir -p "$WORK/kafka/bin"
    cat >"$WORK/kafka/bin/kafka-topics.sh" <<EOF
#!/bin/bash
args=()
while [ \$# -gt 0 ]; do
    case \$1 in
        --zookeeper | --bootstrap-server) shift 2 ;;
        *) args+=("\$1"); shift ;;
    esac
done
exec "$CONNECTCTL" topics --bootstrap-server "\$BROKERS" "\${args[@]}"
EOF
    chmod +x "$WORK/kafka/bin/kafka-topics.sh"
}

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Exit 0 when the broker on port $1 answers an ApiVersions v0 request within 10 s.
broker_answers() {
    /usr/bin/python3 - "$1" <<'EOF'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
client = b"rdksuite"
req = struct.pack(">hhih", 18, 0, 1, len(client)) + client
s.sendall(struct.pack(">i", len(req)) + req)
size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
body = s.recv(size, socket.MSG_WAITALL)
sys.exit(0 if len(body) == size and struct.unpack(">h", body[4:6])[0] == 0 else 1)
EOF
}

# run_group NUM SCENARIO ENTRY...: one fresh broker, the runner for test NUM in SCENARIO;
# writes $dir/result ("PASS name" / "FAIL name reason" lines) and $dir/broker-problem.
run_group() {
    local num=$1 scenario=$2
    shift 2
    local dir=$WORK/$num-$scenario port autocreate=true
    mkdir -p "$dir/data"
    port=$(free_port)
    [ "$scenario" = noautocreate ] && autocreate=false
    cat >"$dir/broker.properties" <<EOF
node.id=0
listeners=PLAINTEXT://127.0.0.1:$port
log.dirs=$dir/data
num.partitions=4
default.replication.factor=1
auto.create.topics.enable=$autocreate
delete.topic.enable=true
group.initial.rebalance.delay.ms=3000
EOF
    printf 'bootstrap.servers=127.0.0.1:%s\nsecurity.protocol=PLAINTEXT\n' "$port" >"$dir/test.conf"
    "$CONNECTD" broker "$dir/broker.properties" >"$dir/broker.log" 2>&1 &
    local broker=$!
    echo "$broker" >"$dir/broker.pid"
    local up=0
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            up=1
            break
        fi
        sleep 0.1
    done
    : >"$dir/broker-problem"
    local rc=0 e
    if [ $up = 1 ]; then
        (
            cd "$RDK/tests"
            env RDKAFKA_TEST_CONF="$dir/test.conf" TEST_KAFKA_VERSION="$KAFKA_VERSION" TEST_SCENARIO="$scenario" \
                SUBTESTS="${SUBTESTS_ONLY[$num]:-${SUBTESTS:-}}" \
                TESTS="$num" LD_LIBRARY_PATH="$RDK/src:$RDK/src-cpp" KAFKA_PATH="$WORK/kafka" \
                BROKERS="127.0.0.1:$port" ZK_ADDRESS="127.0.0.1:$port" BROKER_ADDRESS_1="PLAINTEXT://127.0.0.1:$port" \
                timeout --kill-after=10 "$TIMEOUT" ./test-runner -L -s "$scenario" || exit $?
            # (Not a lone command, which bash would exec: a runner killed by a signal is then
            # reported by this shell into the log rather than by the caller on the terminal.)
        ) >"$dir/runner.log" 2>&1 || rc=$?
    else
        echo "broker did not start" >"$dir/broker-problem"
        rc=1
    fi

    # The broker must have survived, still answer, and stop cleanly on SIGTERM.
    if ! kill -0 "$broker" 2>/dev/null; then
        wait "$broker" && e=0 || e=$?
        echo "crashed or exited (status $e) during test $num" >>"$dir/broker-problem"
    else
        if ! broker_answers "$port" 2>/dev/null; then
            echo "stopped answering ApiVersions after test $num" >>"$dir/broker-problem"
        fi
        kill "$broker"
        local stopped=0
        for _ in $(seq 300); do
            kill -0 "$broker" 2>/dev/null || { stopped=1; break; }
            sleep 0.1
        done
        if [ $stopped = 0 ]; then
            echo "did not stop within 30 s of SIGTERM after test $num (killed)" >>"$dir/broker-problem"
            kill -9 "$broker" 2>/dev/null
        fi
        wait "$broker" && e=0 || e=$?
        [ $stopped = 1 ] && [ "$e" != 0 ] && echo "exit status $e on SIGTERM after test $num" >>"$dir/broker-problem"
    fi
    rm -f "$dir/broker.pid"
    if grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$dir/broker.log"; then
        echo "sanitizer report during test $num: $(grep -m1 -E "ERROR: |runtime error:" "$dir/broker.log")" \
            >>"$dir/broker-problem"
    fi

    # Per entry: the runner's own verdict and, for a failure, its reason.  A run whose
    # runner failed or whose broker misbehaved while every entry passed fails them all.
    local log=$dir/runner.clean name reason own_failure=0
    sed 's/\x1b\[[0-9;]*m//g' "$dir/runner.log" >"$log"
    : >"$dir/verdicts"
    for name in "$@"; do
        if grep -q "= Test $name PASSED =" "$log"; then
            echo "PASS $name" >>"$dir/verdicts"
            continue
        fi
        own_failure=1
        if reason=$(grep -m1 -E "^\| $name +\| +FAILED" "$log"); then
            reason=$(sed -E 's/^\|[^|]*\|[^|]*\|[^|]*\| *//' <<<"$reason")
        elif reason=$(grep -m1 -E "^\| $name +\| +SKIPPED" "$log"); then
            reason="skipped by the runner: $(sed -E 's/^\|[^|]*\|[^|]*\|[^|]*\| *//' <<<"$reason")"
        elif reason=$(grep -m1 -E "Test $name .*timed out" "$log"); then
            :
        elif [ $rc = 124 ]; then
            reason="still running after --timeout ${TIMEOUT}s (runner killed)"
            reason="$reason; last line: $(grep -v '^$' "$log" | tail -1)"
        elif reason=$(grep -m1 -A1 -E "Test \"${name}[ \"].*failed at" "$log"); then
            reason=$(tr '\n' ' ' <<<"$reason")
        else
            reason="no verdict; runner exited $rc; last line: $(grep -v '^$' "$log" | tail -1)"
        fi
        echo "FAIL $name ${reason:0:300}" >>"$dir/verdicts"
    done
    # The runner runs every entry of a test number (TESTS matches numbers), so an excluded
    # entry that shares one with applicable entries runs too, and its hang or failure is
    # what makes the runner exit non-zero (0045's topic_remove): that exit is the excluded
    # entry's, not the others'.
    local excluded_ran=0 x
    for x in "${!EXCLUDED[@]}"; do
        if [[ $x == "${num}_"* ]] && grep -qE "[Tt]est ${x}( |\"|$)" "$log" \
            && ! grep -q "= Test $x PASSED =" "$log"; then
            excluded_ran=1
        fi
    done
    : >"$dir/result"
    while read -r verdict name; do
        if [ "$verdict" = PASS ] && [ $own_failure = 0 ] && [ -s "$dir/broker-problem" ]; then
            echo "FAIL $name passed, but the broker $(head -1 "$dir/broker-problem")" >>"$dir/result"
        elif [ "$verdict" = PASS ] && [ $own_failure = 0 ] && [ $rc != 0 ] && [ $excluded_ran = 0 ]; then
            echo "FAIL $name passed, but the runner then exited $rc: $(grep -v '^$' "$log" | tail -1)" \
                >>"$dir/result"
        else
            grep -m1 "^$verdict $name" "$dir/verdicts" >>"$dir/result"
        fi
    done < <(cut -d' ' -f1,2 "$dir/verdicts")
    if grep -q "^FAIL" "$dir/result" || [ -s "$dir/broker-problem" ]; then
        mkdir -p "$LOGS/$num-$scenario"
        cp "$dir/runner.log" "$dir/broker.log" "$dir/broker.properties" "$dir/test.conf" "$LOGS/$num-$scenario/"
    fi
    rm -rf "$dir/data"
}

report_group() {
    local dir=$WORK/$1 line
    if [ ! -f "$dir/result" ]; then
        echo "FAIL $1: the harness failed before any verdict"
        return
    fi
    while read -r line; do
        [ "${line%% *}" = FAIL ] && echo "FAIL ${line#FAIL }"
    done <"$dir/result"
    while read -r line; do
        echo "BROKER PROBLEM ($1): $line"
    done <"$dir/broker-problem"
}

ensure_packages
download_source
build_runner
write_kafka_path

# Group the applicable entries by test number and scenario.
declare -A RUNS=()
ORDER=()
excluded=0
local_entries=0
while read -r name kind scenario; do
    num=${name%%_*}
    if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$num,"* ]]; then
        continue
    fi
    if [ "$kind" != - ]; then
        local_entries=$((local_entries + 1))
        continue
    fi
    if [ -n "${EXCLUDED[$name]:-}" ]; then
        excluded=$((excluded + 1))
        continue
    fi
    key=$num-$scenario
    [ -z "${RUNS[$key]:-}" ] && ORDER+=("$key")
    RUNS[$key]="${RUNS[$key]:-} $name"
done < <(list_entries)

total=0
for key in "${ORDER[@]}"; do
    read -ra names <<<"${RUNS[$key]}"
    total=$((total + ${#names[@]}))
done
echo "librdkafka $RDKAFKA_VERSION suite: $total entries in ${#ORDER[@]} runs (broker version $KAFKA_VERSION," \
    "$JOBS at a time); left out: $excluded excluded, $local_entries local" >&2
for key in "${ORDER[@]}"; do
    num=${key%%-*}
    if [ -n "${SUBTESTS_ONLY[$num]:-}" ]; then
        echo "test $num runs only its subtests matching \"${SUBTESTS_ONLY[$num]}\"" >&2
    fi
done

running=0
for key in "${ORDER[@]}"; do
    read -ra names <<<"${RUNS[$key]}"
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    echo "running ${key} (${names[*]})" >&2
    run_group "${key%%-*}" "${key#*-}" "${names[@]}" &
    running=$((running + 1))
done
wait

passed=0
failed=0
for key in "${ORDER[@]}"; do
    report_group "$key"
    if [ -f "$WORK/$key/result" ]; then
        passed=$((passed + $(grep -c "^PASS" "$WORK/$key/result" || true)))
        failed=$((failed + $(grep -c "^FAIL" "$WORK/$key/result" || true)))
    else
        read -ra names <<<"${RUNS[$key]}"
        failed=$((failed + ${#names[@]}))
    fi
done
if [ "$failed" -gt 0 ] || [ -n "$(find "$LOGS" -mindepth 1 -print -quit)" ]; then
    echo "logs of the failures: $LOGS"
elif [ $KEEP_LOGS = 0 ]; then
    rm -rf "$LOGS"
fi
echo "librdkafka-suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
