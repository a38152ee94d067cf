"""Conformance: the YAML REST tests of OpenSearch vendored in
tests/es/rest-api-spec/ (bulk, index, create, update, delete, get, exists,
get_source, search, indices.*, info; Apache-2.0, see its NOTICE.txt), run
by yaml_runner.py against es_server.py imitating OpenSearch 2.11.0, the
version those files were written for.  One TAP line per test section;
the sections yaml-skip.txt lists, and those the files skip themselves,
are reported as SKIP.
"""

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

ROOT = os.path.join(HERE, "rest-api-spec", "test")
VERSION = "opensearch:2.11.0"


def main():
    es = es_fixture.EsServer(version=VERSION)
    try:
        es.start()
        runner = yaml_runner.Runner(es.url, yaml_runner.load_skips(os.path.join(HERE, "yaml-skip.txt")))
        _, failed, _ = yaml_runner.run_tap(runner, yaml_runner.collect([ROOT], ROOT))
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
