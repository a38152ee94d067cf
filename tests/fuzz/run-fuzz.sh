#!/bin/sh
# run-fuzz.sh - builds every tests/fuzz/fuzz_*.c as a libFuzzer target and
# either replays its committed corpus through it (the default: make check)
# or fuzzes it (--fuzz: make fuzz), printing TAP: one test per target.
#
# Replay runs each input of tests/fuzz/corpus/<target>/ once under ASan and
# UBSan and takes seconds, so every make check proves that no input which
# once reached new code, or once crashed a target, fails now.  Fuzzing is
# for as long as one asks, so it is not part of make check.
#
# --fuzz runs each target for FUZZ_SECONDS (default 60) from its corpus,
# then merges into tests/fuzz/corpus/<target>/ only the new inputs that
# reach code the corpus did not (libFuzzer -merge=1): the corpus grows by
# what is worth replaying, to be reviewed and committed.  When a target
# fails, its scratch directory (log and crash-* reproducer) is kept and
# named in the TAP diagnostics; rerun a reproducer with
# `<scratch>/<target> <scratch>/crash-...`, and commit it into the target's
# corpus directory with the fix, so make check replays it from then on.
#
# The targets are built here rather than by automake because they need clang
# with -fsanitize=fuzzer, which configure does not require; without it the
# replay is a TAP skip, never a pass, and --fuzz fails.  Each target is
# compiled straight from the sources it exercises (the table in
# target_sources below), so a target does not wait for the whole broker
# library to link.
#
# Environment: TOP_SRCDIR (exported by make; defaults to this script's tree),
# FUZZ_SECONDS, FUZZ_TARGETS (names, default every target), CLANG (default
# clang).

set -u

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${FUZZ_SECONDS:=60}"
: "${FUZZ_TARGETS:=}"
: "${CLANG:=clang}"

mode=replay
case "${1:-}" in
--fuzz) mode=fuzz ;;
"") ;;
*)
    echo "usage: run-fuzz.sh [--fuzz]" >&2
    exit 2
    ;;
esac

# Sources and libraries per target, relative to TOP_SRCDIR.  A new target
# adds its line here and a few seed inputs in tests/fuzz/corpus/<target>/.
target_sources() {
    case "$1" in
    fuzz_request)
        echo "broker/protocol/proto_core.c broker/protocol/proto_data.c broker/protocol/proto_admin.c broker/protocol/proto_group.c broker/protocol/buf.c broker/protocol/arena.c broker/protocol/api.c lib/xalloc.c"
        ;;
    fuzz_records)
        echo "broker/records/records.c broker/records/compression.c broker/records/legacy_records.c broker/records/batch_build.c broker/protocol/buf.c broker/records/crc32c.c broker/records/batch.c broker/protocol/kerr.c lib/xalloc.c"
        ;;
    fuzz_properties)
        echo "lib/properties.c lib/utf8.c lib/xalloc.c"
        ;;
    fuzz_pgoutput)
        echo "connectors/postgres/pgoutput.c"
        ;;
    fuzz_json)
        echo "src/data/data_schema.c src/data/data_value.c src/data/data_value_ops.c src/data/data_record.c src/data/data_api.c src/data/data_json_write.c src/data/data_json_schema.c src/data/data_json_read.c src/convert/converter.c src/convert/convert_json.c src/convert/convert_string.c src/convert/convert_bytes.c src/config/config_validate.c lib/config_def.c lib/properties.c lib/base64.c lib/utf8.c lib/xalloc.c lib/json_tape.c"
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

# Include paths beyond CFLAGS_FUZZ's: a connector's own folder.
target_cppflags() {
    case "$1" in
    fuzz_pgoutput) echo "-I$TOP_SRCDIR/connectors/postgres" ;;
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
    if [ "$mode" = fuzz ]; then
        echo "run-fuzz.sh: clang with libFuzzer (-fsanitize=fuzzer) is needed: install clang and libclang-rt-14-dev" >&2
        exit 1
    fi
    echo "1..0 # SKIP clang with libFuzzer not available"
    exit 0
fi

targets=$FUZZ_TARGETS
if [ -z "$targets" ]; then
    for src in "$TOP_SRCDIR"/tests/fuzz/fuzz_*.c; do
        [ -f "$src" ] || continue
        targets="$targets $(basename "$src" .c)"
    done
fi
# shellcheck disable=SC2086 # names of C files, no spaces
set -- $targets
if [ $# -eq 0 ]; then
    echo "1..0 # SKIP no fuzz targets"
    exit 0
fi
echo "1..$#"

# Prints the inputs of a corpus directory, one path a line.
corpus_files() {
    [ -d "$1" ] || return 0
    find "$1" -type f ! -name '.*' | LC_ALL=C sort
}

failed=0
n=0
for target in "$@"; do
    n=$((n + 1))
    dir="$scratch/$target"
    mkdir -p "$dir"
    corpus="$TOP_SRCDIR/tests/fuzz/corpus/$target"
    if ! sources=$(target_sources "$target"); then
        failed=1
        echo "not ok $n - $target # no source list: add it to target_sources in run-fuzz.sh"
        continue
    fi
    srcs=""
    for s in $sources; do
        srcs="$srcs $TOP_SRCDIR/$s"
    done
    libs=$(target_libs "$target")
    cppflags=$(target_cppflags "$target")
    # shellcheck disable=SC2086 # word lists on purpose
    if ! "$CLANG" $CFLAGS_FUZZ $cppflags -o "$dir/$target" "$TOP_SRCDIR/tests/fuzz/$target.c" $srcs $libs \
        >"$dir/build.log" 2>&1; then
        keep_scratch=yes
        failed=1
        echo "not ok $n - $target # does not build"
        sed 's/^/# /' "$dir/build.log" | tail -n 20
        continue
    fi

    if [ "$mode" = replay ]; then
        corpus_files "$corpus" >"$dir/inputs"
        count=$(wc -l <"$dir/inputs")
        if [ "$count" -eq 0 ]; then
            failed=1
            echo "not ok $n - $target # no corpus: commit a few seed inputs in tests/fuzz/corpus/$target/"
            continue
        fi
        # Given files rather than directories, libFuzzer runs each once and
        # exits: nothing is mutated and nothing is written.
        # shellcheck disable=SC2046 # one word per file; corpus names have no spaces
        if "$dir/$target" -timeout=10 -rss_limit_mb=2048 $(cat "$dir/inputs") >"$dir/replay.log" 2>&1; then
            echo "ok $n - $target ($count inputs replayed)"
        else
            keep_scratch=yes
            failed=1
            echo "not ok $n - $target # an input of tests/fuzz/corpus/$target crashes, leaks or times out; kept in $dir"
            grep -E 'Running:|ERROR|SUMMARY|runtime error' "$dir/replay.log" | tail -n 20 | sed 's/^/# /'
        fi
        continue
    fi

    # Fuzzing: new inputs go to a scratch directory first, so only those the
    # merge below picks reach the committed corpus.
    mkdir -p "$dir/new" "$corpus"
    before=$(corpus_files "$corpus" | wc -l)
    if ! "$dir/$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/" "$dir/new" "$corpus" >"$dir/fuzz.log" 2>&1; then
        keep_scratch=yes
        failed=1
        echo "not ok $n - $target # crash, leak or timeout; kept in $dir"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$dir/fuzz.log" | head -n 20 | sed 's/^/# /'
        continue
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log")
    if ! "$dir/$target" -merge=1 -timeout=10 -rss_limit_mb=2048 "$corpus" "$dir/new" >"$dir/merge.log" 2>&1; then
        keep_scratch=yes
        failed=1
        echo "not ok $n - $target # merging new inputs into tests/fuzz/corpus/$target failed; kept in $dir"
        tail -n 20 "$dir/merge.log" | sed 's/^/# /'
        continue
    fi
    after=$(corpus_files "$corpus" | wc -l)
    echo "ok $n - $target (${runs:-?} runs in ${FUZZ_SECONDS}s; corpus $before -> $after inputs)"
done
if [ "$mode" = fuzz ]; then
    exit "$failed"
fi
exit 0
