"""Conformance, run by hand: OpenSearch's YAML REST tests (the files
yaml-cases.txt lists: bulk, index, create, update, delete, get, exists,
get_source, search, indices.*, info) run by yaml_runner.py against
es_server.py imitating OpenSearch 2.11.0, the version those files were
written for.  One TAP line per test section; the sections yaml-skip.txt
lists, and those the files skip themselves, are reported as SKIP.

The YAML files are OpenSearch's, not ours, so they are not in this tree:
point --spec (or $ES_REST_SPEC_TESTS) at the test/ folder of a checkout of
opensearch-project/OpenSearch's
rest-api-spec/src/main/resources/rest-api-spec/ at the commit
yaml-cases.txt names.  It is not part of `make check`: CI has no copy.

    /usr/bin/python3 tests/es/run_yaml_conformance.py --spec ~/OpenSearch/rest-api-spec/src/main/resources/rest-api-spec/test
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import es_fixture  # noqa: E402

try:
    import yaml_runner  # noqa: E402
except ImportError as e:
    print("1..1\nnot ok 1 - yaml_runner needs PyYAML: apt-get install python3-yaml (%s)" % e)
    sys.exit(1)

VERSION = "opensearch:2.11.0"


def case_files(root):
    """The files of yaml-cases.txt under root; a missing one is an error, not a silent pass."""
    with open(os.path.join(HERE, "yaml-cases.txt")) as f:
        names = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    missing = [n for n in names if not os.path.isfile(os.path.join(root, n))]
    if missing:
        sys.exit("%s lacks %d of the cases, e.g. %s: is it rest-api-spec/test at the commit yaml-cases.txt names?"
                 % (root, len(missing), missing[0]))
    return [os.path.join(root, n) for n in names]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", default=os.environ.get("ES_REST_SPEC_TESTS"),
                    help="OpenSearch's rest-api-spec/src/main/resources/rest-api-spec/test folder")
    args = ap.parse_args()
    if not args.spec:
        ap.error("give --spec or set ES_REST_SPEC_TESTS")
    root = os.path.abspath(args.spec)
    files = case_files(root)
    es = es_fixture.EsServer(version=VERSION)
    try:
        es.start()
        runner = yaml_runner.Runner(es.url, yaml_runner.load_skips(os.path.join(HERE, "yaml-skip.txt")))
        _, failed, _ = yaml_runner.run_tap(runner, yaml_runner.collect(files, root))
        es.stop()
    except Exception:
        print("Bail out! es_server or the runner failed; stderr of es_server:")
        for line in es.stderr().splitlines()[-50:]:
            print("# " + line)
        es.cleanup()
        raise
    finally:
        es.remove_workdir()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
