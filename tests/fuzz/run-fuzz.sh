#!/bin/sh
# run-fuzz.sh - builds every tests/fuzz/fuzz_*.c as a libFuzzer target and
# runs each for FUZZ_SECONDS (default 20), printing TAP: one test per target.
#
# The targets are built here rather than by automake because they need clang
# with -fsanitize=fuzzer, which configure does not require; without it the
# whole script is a TAP skip, never a pass.  Each target is compiled straight
# from the sources it exercises (the table in target_sources below), so a
# target does not wait for the whole broker library to link.
#
# Seeds come from tests/fuzz/corpus/<target>/ and are read-only: new inputs go
# to a scratch directory, so make distcheck's read-only srcdir is fine.  When
# a target fails, its scratch directory (log and crash-* reproducer) is kept
# and named in the TAP diagnostics; rerun a reproducer with
# `<scratch>/<target> <scratch>/crash-...`.
#
# Environment: TOP_SRCDIR (exported by make check; defaults to this script's
# tree), FUZZ_SECONDS, CLANG (default clang).

set -u

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${FUZZ_SECONDS:=20}"
: "${CLANG:=clang}"

# Sources and libraries per target, relative to TOP_SRCDIR.  A new target
# adds its line here.
target_sources() {
    case "$1" in
    fuzz_request)
        echo "broker/protocol/proto_core.c broker/protocol/proto_data.c broker/protocol/proto_admin.c broker/protocol/proto_group.c broker/protocol/buf.c broker/protocol/arena.c broker/protocol/api.c lib/xalloc.c"
        ;;
    fuzz_records)
        echo "broker/records/records.c broker/records/compression.c broker/protocol/buf.c broker/records/crc32c.c broker/records/batch.c broker/protocol/kerr.c lib/xalloc.c"
        ;;
    fuzz_properties)
        echo "lib/properties.c lib/utf8.c lib/xalloc.c"
        ;;
    fuzz_json)
        echo "src/data/data_schema.c src/data/data_value.c src/data/data_value_ops.c src/data/data_record.c src/data/data_api.c src/data/data_json_write.c src/data/data_json_schema.c src/data/data_json_read.c src/convert/converter.c src/convert/convert_json.c src/convert/convert_string.c src/convert/convert_bytes.c src/config/config_validate.c lib/config_def.c lib/properties.c lib/base64.c lib/utf8.c lib/xalloc.c"
        ;;
    *)
        return 1
        ;;
    esac
}

target_libs() {
    case "$1" in
    fuzz_records) echo "-lz -llz4 -lzstd -lsnappy" ;;
    fuzz_json) echo "-ljansson" ;;
    *) echo "" ;;
    esac
}

CFLAGS_FUZZ="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
-fno-omit-frame-pointer -D_GNU_SOURCE -I$TOP_SRCDIR/lib -I$TOP_SRCDIR/broker -I$TOP_SRCDIR/src -I$TOP_SRCDIR/plugins/include"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/run-fuzz.XXXXXX") || {
    echo "Bail out! cannot create a scratch directory"
    exit 1
}
keep_scratch=no
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    if [ "$keep_scratch" = no ]; then
        rm -rf "$scratch"
    fi
}
trap cleanup EXIT

# Probe: a trivial target must compile, link against the fuzzer runtime and
# run, or nothing below could.
cat >"$scratch/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { (void)data; (void)size; return 0; }
EOF
# shellcheck disable=SC2086
if ! "$CLANG" $CFLAGS_FUZZ -o "$scratch/probe" "$scratch/probe.c" >/dev/null 2>&1 ||
    ! "$scratch/probe" -runs=1 >/dev/null 2>&1; then
    echo "1..0 # SKIP clang with libFuzzer not available"
    exit 0
fi

targets=""
for src in "$TOP_SRCDIR"/tests/fuzz/fuzz_*.c; do
    [ -f "$src" ] || continue
    targets="$targets $(basename "$src" .c)"
done
# shellcheck disable=SC2086 # names of C files, no spaces
set -- $targets
if [ $# -eq 0 ]; then
    echo "1..0 # SKIP no fuzz targets"
    exit 0
fi
echo "1..$#"

n=0
for target in "$@"; do
    n=$((n + 1))
    dir="$scratch/$target"
    mkdir -p "$dir/corpus"
    if ! sources=$(target_sources "$target"); then
        echo "not ok $n - $target # no source list: add it to target_sources in run-fuzz.sh"
        continue
    fi
    srcs=""
    for s in $sources; do
        srcs="$srcs $TOP_SRCDIR/$s"
    done
    libs=$(target_libs "$target")
    # shellcheck disable=SC2086 # word lists on purpose
    if ! "$CLANG" $CFLAGS_FUZZ -o "$dir/$target" "$TOP_SRCDIR/tests/fuzz/$target.c" $srcs $libs \
        >"$dir/build.log" 2>&1; then
        keep_scratch=yes
        echo "not ok $n - $target # does not build"
        sed 's/^/# /' "$dir/build.log" | tail -n 20
        continue
    fi
    seeds="$TOP_SRCDIR/tests/fuzz/corpus/$target"
    [ -d "$seeds" ] || seeds=""
    # The first corpus directory receives new inputs; the seeds stay as they are.
    # shellcheck disable=SC2086
    if "$dir/$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/" "$dir/corpus" $seeds >"$dir/fuzz.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log")
        echo "ok $n - $target (${runs:-?} runs in ${FUZZ_SECONDS}s)"
    else
        keep_scratch=yes
        echo "not ok $n - $target # crash, leak or timeout; kept in $dir"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$dir/fuzz.log" | head -n 20 | sed 's/^/# /'
    fi
done
exit 0
