"""The command lines of connectd and connectctl as a Kafka user types them:
--help/-h on every command listing each flag on one line, --version, global
flags before or after the subcommand, and an unknown flag naming the
closest real one."""

import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Broker, connectctl_path, connectd_path, ctl, run  # noqa: E402

# One line per flag: "  -h, --help   text" or "      --topic TOPIC   text".
FLAG_LINE = re.compile(r"^  (-\w, |    )--[a-z][\w.-]*( \S+)? +\S")

CTL_COMMANDS = ["topics", "produce", "consume", "groups", "configs"]
CONNECTD_COMMANDS = ["standalone", "broker", "docs"]


def started():
    b = Broker()
    b.start()
    return b


def help_flags(cmd):
    """Runs `cmd` (ending in --help or -h); checks the usage line and that
    every line after "flags:" is one flag; returns the flags' names."""
    res = run(cmd)
    out = res.stdout.decode("utf-8")
    assert out.startswith("usage: "), out
    assert res.stderr == b"", res.stderr
    lines = out.splitlines()
    flags = lines[lines.index("flags:") + 1:]
    for line in flags:
        assert FLAG_LINE.match(line), (cmd, line)
    return [re.search(r"--[\w.-]+", line).group(0) for line in flags]


def test_help_on_every_command():
    """--help and -h print the usage and one line per flag, exit 0"""
    for opt in ("--help", "-h"):
        names = help_flags([connectctl_path(), opt])
        assert names == ["--bootstrap-server", "--command-config", "--timeout-ms", "--json", "--help",
                         "--version"], names
        for sub in CTL_COMMANDS:
            names = help_flags([connectctl_path(), sub, opt])
            assert "--bootstrap-server" in names and "--help" in names, (sub, names)
        help_flags([connectd_path(), opt])
        for sub in CONNECTD_COMMANDS:
            help_flags([connectd_path(), sub, opt])
    assert "--topic" in help_flags([connectctl_path(), "consume", "--help"])
    assert "--override" in help_flags([connectd_path(), "broker", "--help"])
    assert "--override" in help_flags([connectd_path(), "standalone", "-h"])


def test_version():
    """--version on the tools and on every subcommand"""
    for cmd in ([connectctl_path(), "--version"], [connectctl_path(), "topics", "--version"],
                [connectctl_path(), "consume", "--version"]):
        out = run(cmd).stdout.decode()
        assert re.fullmatch(r"connectctl \d+\.\d+\.\d+\n", out), (cmd, out)
    for cmd in ([connectd_path(), "--version"], [connectd_path(), "broker", "--version"],
                [connectd_path(), "standalone", "--version"]):
        out = run(cmd).stdout.decode()
        assert re.fullmatch(r"connectd \d+\.\d+\.\d+\n", out), (cmd, out)


def test_global_flags_before_or_after():
    """--bootstrap-server and --command-config work on either side of the subcommand"""
    b = started()
    out = run([connectctl_path(), "--bootstrap-server", b.bootstrap, "topics", "--create", "--topic", "t1"]).stdout
    assert out == b"Created topic t1.\n", out
    out = run([connectctl_path(), "topics", "--list", "--bootstrap-server", b.bootstrap]).stdout
    assert out == b"t1\n", out
    out = run([connectctl_path(), "--bootstrap-server=" + b.bootstrap, "--json", "topics", "--list"]).stdout
    assert out == b'[{"topic":"t1"}]\n', out
    conf = os.path.join(harness.tmpdir(), "client.properties")
    with open(conf, "w") as f:
        f.write("# a client file as Kafka's tools take it\nclient.id=connectctl-test\n")
    for args in (["--command-config", conf, "topics", "--list"], ["topics", "--list", "--command-config", conf]):
        _, out, _ = ctl(b, *args)
        assert out == "t1\n", (args, out)
    with open(conf, "a") as f:
        f.write("no.such.property=1\n")
    rc, _, err = ctl(b, "--command-config", conf, "topics", "--list", check=False)
    assert rc == 2 and err == "connectctl: --command-config %s: no.such.property: No such configuration " \
        "property: \"no.such.property\"\n" % conf, err


def test_unknown_flags_name_the_closest():
    """an unknown flag or command: one line naming the closest real one, exit 2"""
    b = started()
    cases = [
        (["consume", "--topic", "t", "--propery", "print.key=true"],
         "connectctl consume: unknown flag '--propery'; did you mean '--property'?\n"),
        (["--bootstrap-servers", b.bootstrap, "topics", "--list"],
         "connectctl: unknown flag '--bootstrap-servers'; did you mean '--bootstrap-server'?\n"),
        (["topics", "--lsit"], "connectctl topics: unknown flag '--lsit'; did you mean '--list'?\n"),
        (["groups", "--list", "--dryrun"], "connectctl groups: unknown flag '--dryrun'; did you mean '--dry-run'?\n"),
        (["produce", "--topic", "t", "--zzz"], "connectctl produce: unknown flag '--zzz'; see connectctl produce --help\n"),
        (["topcis", "--list"], "connectctl: unknown command 'topcis'; did you mean 'topics'?\n"),
        (["topics", "--list", "--timeout-ms"], "connectctl topics: --timeout-ms needs a value (MS)\n"),
    ]
    for args, want in cases:
        res = run([connectctl_path()] + args, check=False)
        assert res.returncode == 2 and res.stderr.decode() == want, (args, res.stderr)
    for args, want in ((["standalone", "w.properties", "--overide", "a=b"],
                        "connectd standalone: unknown flag '--overide'; did you mean '--override'?\n"),
                       (["broker", "--verison"], "connectd broker: unknown flag '--verison'; did you mean '--version'?\n"),
                       (["--hlep"], "connectd: unknown flag '--hlep'; did you mean '--help'?\n")):
        res = run([connectd_path()] + args, check=False)
        assert res.returncode == 2 and res.stderr.decode() == want, (args, res.stderr)


harness.main(globals())
