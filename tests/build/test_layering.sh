#!/bin/sh
# test_layering.sh - the layering of docs/architecture.md is enforced by
# the build, not by review.  Each case makes the mistake on purpose, with
# the include path Makefile.am gives that library, and expects the build
# step to refuse it; the first cases show the same step accepts the code
# as it is, so a refusal is not a broken command line.
#
# Needs CC, LIB_CPPFLAGS, BROKER_CPPFLAGS, WORKER_CPPFLAGS and TOP_SRCDIR
# (make check's environment).  Prints TAP.
set -u

: "${TOP_SRCDIR:?}" "${CC:?}"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/layering.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -s "$scratch/err" ] && sed 's/^/# /' "$scratch/err"; }

# compiles NAME.c, written in the folder DIR of a copy of the tree so that
# its own-folder includes resolve as the real files' do.
compiles() { # DIR CPPFLAGS SOURCE-TEXT
    mkdir -p "$scratch/tree/$1"
    printf '%s\n' "$3" > "$scratch/tree/$1/probe.c"
    # shellcheck disable=SC2086 # the flags are a list
    $CC -fsyntax-only $2 "$scratch/tree/$1/probe.c" 2> "$scratch/err"
}

echo "1..7"

# The broker's include path: its own headers by path from broker/, lib's bare.
if compiles broker "$BROKER_CPPFLAGS" '#include "storage/log.h"
#include "blog.h"
int probe(void) { return 0; }'; then
    ok "a broker file compiles with the broker's include path alone"
else
    not_ok "a broker file compiles with the broker's include path alone"
fi

if compiles broker/handlers "$BROKER_CPPFLAGS" '#include "herder/herder.h"
int probe(void) { return 0; }'; then
    not_ok "a worker header included from broker/ is refused"
else
    grep -q 'herder/herder.h' "$scratch/err" && ok "a worker header included from broker/ is refused" \
        || not_ok "a worker header included from broker/ is refused (for another reason)"
fi

if compiles lib "$LIB_CPPFLAGS" '#include "blog.h"
#include "properties.h"
int probe(void) { return 0; }'; then
    ok "a lib/ file compiles with lib/ alone on the include path"
else
    not_ok "a lib/ file compiles with lib/ alone on the include path"
fi

if compiles lib "$LIB_CPPFLAGS" '#include "protocol/buf.h"
int probe(void) { return 0; }'; then
    not_ok "a broker header included from lib/ is refused"
else
    ok "a broker header included from lib/ is refused"
fi

if compiles src/herder "$WORKER_CPPFLAGS" '#include "topics/topics.h"
int probe(void) { return 0; }'; then
    not_ok "a broker header included from the worker library is refused"
else
    ok "a broker header included from the worker library is refused"
fi

# Inside a library every folder is on the path; check-layers holds the
# order.  The tree as it is passes; one include against the grain (config
# reaching into REST, the cycle this layout removed) fails it.
for d in lib broker src; do
    cp -R "$TOP_SRCDIR/$d" "$scratch/tree/" 2>/dev/null || cp -R "$TOP_SRCDIR/$d" "$scratch/tree/$d"
done
rm -f "$scratch/tree/broker/probe.c" "$scratch/tree/broker/handlers/probe.c" "$scratch/tree/lib/probe.c" \
    "$scratch/tree/src/herder/probe.c"
if "$TOP_SRCDIR/build-aux/check-layers" "$scratch/tree" 2> "$scratch/err"; then
    ok "check-layers accepts the tree as it is"
else
    not_ok "check-layers accepts the tree as it is"
fi

printf '#include "rest/rest_server.h"\n' >> "$scratch/tree/src/config/worker_config.c"
if "$TOP_SRCDIR/build-aux/check-layers" "$scratch/tree" 2> "$scratch/err"; then
    not_ok "an include from src/config/ of src/rest/ fails check-layers"
else
    grep -q 'worker_config.c: includes "rest/rest_server.h"' "$scratch/err" \
        && ok "an include from src/config/ of src/rest/ fails check-layers, naming file and header" \
        || not_ok "an include from src/config/ of src/rest/ fails check-layers, naming file and header"
fi
