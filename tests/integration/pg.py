"""A real PostgreSQL for the integration tests, from Debian's packages.

    import pg
    server = pg.server()          # one per test file, started on first use
    server.sql("CREATE TABLE t (id int PRIMARY KEY)", db="orders")
    conf = server.connector_config(dbname="orders")   # database.* for a connector

The cluster lives in a temporary directory: `initdb` there, then `postgres`
in the foreground of a child process, listening on a random loopback port
and on a unix socket in the same directory, so nothing outside the test is
touched and several test files can each run their own at once.

As Debezium needs it: wal_level=logical, replication slots and WAL senders.
TCP connections authenticate with scram-sha-256 (the superuser `postgres`
has a password, PASSWORD below), so a connector is tested against the
authentication a real server asks for; the unix socket trusts its users,
which is how the tests themselves run SQL (psql) without a password.

initdb refuses to run as root, and CI runs the tests as root: then initdb
and postgres run as Debian's `postgres` user, which owns the directory.
Durability is switched off (fsync, full_page_writes, synchronous_commit):
what the tests check is never a crash of PostgreSQL's machine, and it makes
the cluster start in about a second.

The server is stopped (and its directory removed) when the test process
exits, whatever the outcome.
"""

import atexit
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import harness

PASSWORD = "connectd-test-pw"
SUPERUSER = "postgres"

_servers = []


def bindir():
    """PG_BINDIR, or the newest /usr/lib/postgresql/<major>/bin (Debian's
    layout: the server binaries are not on PATH)."""
    if os.environ.get("PG_BINDIR"):
        return os.environ["PG_BINDIR"]
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(p.split("/")[-3]))
    if not found:
        raise AssertionError("PostgreSQL server not installed: apt-get install postgresql (see .ci/install-deps)")
    return os.path.dirname(found[-1])


class Postgres:
    """One PostgreSQL cluster in a temporary directory.  `settings` are
    postgresql.conf settings (passed as -c on the server's command line)
    on top of the defaults below; restart() may change them."""

    DEFAULTS = {
        "listen_addresses": "127.0.0.1",
        "wal_level": "logical",
        "max_wal_senders": "10",
        "max_replication_slots": "10",
        "fsync": "off",
        "full_page_writes": "off",
        "synchronous_commit": "off",
        "shared_buffers": "16MB",
        "max_connections": "40",
        "log_min_messages": "warning",
    }

    def __init__(self, settings=None):
        self.bindir = bindir()
        self.as_root = os.geteuid() == 0
        self.dir = tempfile.mkdtemp(prefix="connectd-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "postgres.log")
        self.port = harness.free_port()
        self.settings = dict(self.DEFAULTS)
        self.settings.update(settings or {})
        self.proc = None
        self.runs = 0
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self._initdb()
        _servers.append(self)

    # ---- processes ---------------------------------------------------------

    def _popen(self, args, **kw):
        """A child as the postgres user when we are root, else as ourselves."""
        if self.as_root:
            kw.update(user="postgres", group="postgres", extra_groups=[])
        return subprocess.Popen(args, cwd=self.dir, **kw)

    def _initdb(self):
        pwfile = os.path.join(self.dir, "pwfile")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(pwfile, pw.pw_uid, pw.pw_gid)
        proc = self._popen([os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", SUPERUSER,
                            "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256",
                            "--encoding=UTF8", "--locale=C", "--no-sync"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out, _ = proc.communicate(timeout=120)
        os.unlink(pwfile)
        if proc.returncode != 0:
            raise AssertionError("initdb failed (%d):\n%s" % (proc.returncode, out.decode("utf-8", "replace")))

    def start(self, timeout=harness.DEFAULT_TIMEOUT):
        """Starts the server and waits until it accepts connections."""
        assert self.proc is None, "postgres already running"
        self.runs += 1
        args = [os.path.join(self.bindir, "postgres"), "-D", self.data, "-p", str(self.port),
                "-k", self.dir]
        for key, value in self.settings.items():
            args += ["-c", "%s=%s" % (key, value)]
        with open(self.log_path, "ab") as log:
            self.proc = self._popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("postgres exited with %d during start-up:\n%s"
                                     % (self.proc.returncode, self.log()[-4000:]))
            res = subprocess.run([os.path.join(self.bindir, "pg_isready"), "-q", "-h", self.dir,
                                  "-p", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return res.returncode == 0
        harness.wait_for(ready, timeout, "postgres to accept connections on port %d" % self.port, interval=0.1)
        return self

    def stop(self, timeout=harness.DEFAULT_TIMEOUT, sig=signal.SIGINT):
        """A fast shutdown (SIGINT: active sessions are ended, then a
        checkpoint), or another signal's shutdown mode (SIGTERM: smart)."""
        assert self.proc is not None, "postgres not running"
        proc, self.proc = self.proc, None
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("postgres did not stop within %.0f s" % timeout)

    def kill(self):
        """kill -9 of the postmaster: a crash; the next start recovers from
        the WAL.  Its backends notice the postmaster is gone and exit."""
        assert self.proc is not None, "postgres not running"
        proc, self.proc = self.proc, None
        proc.kill()
        proc.wait()
        # The orphaned backends hold the shared memory a new postmaster
        # needs: wait until the pid file's postmaster has no children left.
        harness.wait_for(lambda: not _children_of(proc.pid), what="the killed postgres's backends to exit")

    def restart(self, settings=None, **kw):
        """Stops and starts again with the same data, port and socket;
        `settings` changes postgresql.conf settings from now on (None as a
        value removes one)."""
        self.stop()
        for key, value in (settings or {}).items():
            if value is None:
                self.settings.pop(key, None)
            else:
                self.settings[key] = value
        return self.start(**kw)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def cleanup(self):
        if self.proc is not None:
            proc, self.proc = self.proc, None
            proc.send_signal(signal.SIGQUIT)  # immediate shutdown
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- SQL ---------------------------------------------------------------

    def psql_command(self, db="postgres", user=SUPERUSER):
        return [os.path.join(self.bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.dir,
                "-p", str(self.port), "-U", user, "-d", db]

    def sql(self, query, db="postgres", user=SUPERUSER, check=True):
        """Runs `query` (one or more statements) through psql over the unix
        socket; returns the rows of the last one as lists of strings (NULL
        as None; fields are split on the ASCII unit separator, so text with
        '|' or spaces comes back whole, though not text with newlines).  With check=False, returns (exit code, rows, stderr)
        instead of raising on an SQL error."""
        cmd = self.psql_command(db, user) + ["-A", "-t", "-F", "\x1f", "-P", "null=\x1e", "-c", query]
        res = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=harness.DEFAULT_TIMEOUT)
        out = res.stdout.decode("utf-8", "replace")
        rows = [[None if v == "\x1e" else v for v in line.split("\x1f")] for line in out.split("\n") if line]
        err = res.stderr.decode("utf-8", "replace")
        if not check:
            return res.returncode, rows, err
        if res.returncode != 0:
            raise AssertionError("psql failed (%d) on %r:\n%s" % (res.returncode, query, err))
        return rows

    def value(self, query, db="postgres"):
        """The single value of a one-row, one-column query (None if no row)."""
        rows = self.sql(query, db=db)
        return rows[0][0] if rows else None

    def create_database(self, name):
        self.sql('CREATE DATABASE "%s"' % name)

    def create_role(self, name, password, replication=False, superuser=False):
        attrs = ["LOGIN", "PASSWORD '%s'" % password.replace("'", "''"),
                 "REPLICATION" if replication else "NOREPLICATION",
                 "SUPERUSER" if superuser else "NOSUPERUSER"]
        self.sql('CREATE ROLE "%s" %s' % (name, " ".join(attrs)))

    def connector_config(self, dbname="postgres", user=SUPERUSER, password=PASSWORD):
        """The database.* settings of a connector reaching this server over
        TCP with a password, as a user would write them."""
        return {"database.hostname": "127.0.0.1", "database.port": str(self.port),
                "database.user": user, "database.password": password, "database.dbname": dbname,
                "database.sslmode": "disable"}


def _children_of(pid):
    """The pids whose parent is `pid` (Linux /proc)."""
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return kids


_shared = None


def server(settings=None):
    """The test file's PostgreSQL, started on first use and kept for the
    other tests of the file (starting one takes a second or two)."""
    global _shared
    if _shared is None:
        _shared = Postgres(settings).start()
    elif not _shared.alive():
        _shared.start()
    return _shared


@atexit.register
def _cleanup_at_exit():
    for s in _servers:
        s.cleanup()
