"""The pieces of ``manage.py bench``: databases, app servers and the load generator."""

from __future__ import annotations

import http.client
import json
import math
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import environ
import psycopg2
from psycopg2 import sql

BASE_DIR = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(BASE_DIR / "manage.py")]
# Only databases named so are ever dropped, and only to rebuild them.
DATABASE_PREFIX = "portfolio_bench_"
SEED = 1


class BenchError(Exception):
    """Something the benchmark needs is missing or broke; the message says what."""


@dataclass(frozen=True)
class Size:
    """A portfolio to measure: how much synthetic content its database holds."""

    name: str
    projects: int
    partners: int
    sponsorships: int

    def signature(self, build_id: str) -> str:
        """Return the mark a complete build leaves on its database."""
        return (
            f"portfolio bench: {self.projects} projects, {self.partners} partners, "
            f"{self.sponsorships} sponsorships, seed {SEED}, build {build_id}, complete"
        )


# Names the build in its uploads folder too: the database and the files must come from
# the same build (a page opens an image whose name only that build knows).
BUILD_FILE = ".bench-build"


def is_complete(database: Database, size: Size, media_root: Path) -> bool:
    """Tell whether ``database`` and ``media_root`` hold one finished build of ``size``."""
    try:
        build_id = (media_root / BUILD_FILE).read_text().strip()
    except OSError:
        return False
    return database.mark() == size.signature(build_id)


# Database ------------------------------------------------------------------------------


class Database:
    """A benchmark database on a PostgreSQL server, managed through the `postgres` one."""

    def __init__(self, url: str):
        config = environ.Env.db_url_config(url)
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise BenchError(f"The benchmark runs on PostgreSQL, not {url}.")
        self.url = url
        self.name = config["NAME"]
        self._server = {
            key: value
            for key, value in {
                "user": config.get("USER"),
                "password": config.get("PASSWORD"),
                "host": config.get("HOST"),
                "port": config.get("PORT"),
            }.items()
            if value
        }

    def _admin(self):
        try:
            connection = psycopg2.connect(dbname="postgres", connect_timeout=10, **self._server)
        except psycopg2.OperationalError as error:
            raise BenchError(f"PostgreSQL is not reachable for {self.url}: {error}") from error
        connection.autocommit = True
        return connection

    def _run(self, statement, params=None, fetch=False):
        connection = self._admin()
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if fetch else None
        finally:
            connection.close()

    def mark(self) -> str | None:
        """Return the database's comment, "" when it has none, None when it does not exist."""
        rows = self._run(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database WHERE datname = %s",
            [self.name],
            fetch=True,
        )
        return rows[0][0] if rows else None

    def vacuum_analyze(self) -> None:
        """Give the planner statistics, as autovacuum would have in a live database.

        Without them, fresh bulk-loaded tables get wild estimates (and JIT compilation).
        """
        self.vacuum(analyze=True)

    def vacuum(self, *, analyze: bool = False) -> None:
        """Clear the dead rows of every table (and with ``analyze``, gather statistics)."""
        connection = psycopg2.connect(dbname=self.name, connect_timeout=10, **self._server)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)" if analyze else "VACUUM")
        finally:
            connection.close()

    def server_version(self) -> str:
        return self._run("SHOW server_version", fetch=True)[0][0]

    def create(self) -> None:
        self._run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        if not self.name.startswith(DATABASE_PREFIX):
            raise BenchError(
                f"Database {self.name} is not a complete benchmark database and its name does "
                f"not start with {DATABASE_PREFIX}: drop it yourself or choose another name."
            )
        self._run(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
        )

    def set_mark(self, text: str) -> None:
        self._run(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(self.name), sql.Literal(text)
            )
        )


def manage(args: list[str], env: dict[str, str], *, timeout: float | None = None) -> str:
    """Run ``manage.py args`` with ``env``; return its output, or raise with it."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [*MANAGE, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise BenchError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def build(database: Database, size: Size, env: dict[str, str], say) -> float:
    """(Re)create ``database`` with ``size``'s content; return the seconds it took.

    Uploads go to the environment's MEDIA_ROOT, which is emptied first. The mark is
    written last, so a build that stopped half-way is redone next time.
    """
    started = time.monotonic()
    shutil.rmtree(env["MEDIA_ROOT"], ignore_errors=True)
    if database.mark() is not None:
        database.drop()
    database.create()
    for args in (
        ["migrate", "--no-input", "-v", "0"],
        ["load_demo"],
        [
            "generate_portfolio",
            f"--projects={size.projects}",
            f"--partners={size.partners}",
            f"--sponsorships={size.sponsorships}",
            f"--seed={SEED}",
            "--force",  # The benchmark's servers run with DEBUG off.
        ],
    ):
        say(f"  manage.py {' '.join(args)}")
        for line in manage(args, env).splitlines():
            say(f"    {line}")
    say("  VACUUM (ANALYZE)")
    database.vacuum_analyze()
    build_id = secrets.token_hex(4)
    media_root = Path(env["MEDIA_ROOT"])
    media_root.mkdir(parents=True, exist_ok=True)
    (media_root / BUILD_FILE).write_text(build_id + "\n")
    database.set_mark(size.signature(build_id))
    return time.monotonic() - started


# Servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 120) -> tuple[int, int]:
    """Return the status and body size of ``GET path`` on the local server at ``port``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


def drain(port: int, requests: int) -> None:
    """Wait until the server has taken every request a finished wrk run left queued.

    wrk stops while its connections still wait; the workers answer them anyway. As many
    health checks as wrk had connections queue behind them, so the next page is not
    measured while the workers are still busy with the previous one.
    """
    with ThreadPoolExecutor(max_workers=requests) as pool:
        list(pool.map(lambda _n: get(port, "/healthz", timeout=300), range(requests)))


class Server:
    """gunicorn serving ``config.wsgi`` with sync workers on a free local port."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2):
        self.env, self.log_path, self.workers = env, log_path, workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self, wait: float = 60) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            f"--workers={self.workers}",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{self.port}",
            "--log-level=warning",
        ]
        with self.log_path.open("ab") as log:
            # A process group of its own: the server and its workers stop together, and a
            # Ctrl-C in the terminal reaches the benchmark, which stops them itself.
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn stopped at start:\n{self.log_tail()}")
            try:
                if get(self.port, "/healthz", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer /healthz within {wait} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(grace)
                return
            except subprocess.TimeoutExpired:
                continue

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# Load generator -------------------------------------------------------------------------

# wrk calls done() once at the end; it prints one line of JSON the benchmark reads.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\\"requests\\": %.0f, \\"duration_us\\": %.0f, \\"p50_us\\": %.0f, "
    .. "\\"p99_us\\": %.0f, \\"socket_errors\\": %.0f, \\"non_2xx\\": %.0f}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass(frozen=True)
class Measure:
    """One wrk run against one page."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def ensure_wrk(say) -> str:
    """Return wrk's path, installing Debian's package when missing and allowed to."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise BenchError("wrk is missing: install it (Debian: apt-get install wrk) and run again.")
    say("Installing wrk (apt-get install wrk)…")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    quiet = {"env": env, "capture_output": True, "check": False}
    if subprocess.run([apt, "install", "-y", "-qq", "wrk"], **quiet).returncode:  # noqa: S603
        subprocess.run([apt, "update", "-qq"], **quiet)  # noqa: S603
        subprocess.run([apt, "install", "-y", "-qq", "wrk"], **quiet)  # noqa: S603
    found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk could not be installed: apt-get install wrk, then run again.")
    return found


def wrk_version(wrk: str) -> str:
    result = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    return (result.stdout or result.stderr).split(" Copyright")[0].strip()


class LoadGenerator:
    """wrk with a fixed number of threads and connections, reporting through a script."""

    def __init__(self, wrk: str, threads: int = 1, connections: int = 8):
        self.wrk, self.threads, self.connections = wrk, threads, connections
        handle, name = tempfile.mkstemp(prefix="bench-", suffix=".lua")
        with os.fdopen(handle, "w") as script:
            script.write(WRK_SCRIPT)
        self.script = name

    def close(self) -> None:
        Path(self.script).unlink(missing_ok=True)

    def run(self, port: int, path: str, seconds: int) -> Measure:
        command = [
            self.wrk,
            f"--threads={self.threads}",
            f"--connections={self.connections}",
            f"--duration={seconds}s",
            # Long enough that a slow page's queued requests count as slow, not as errors.
            "--timeout=30s",
            f"--script={self.script}",
            f"http://127.0.0.1:{port}{path}",
        ]
        result = subprocess.run(  # noqa: S603 - wrk with our own arguments
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
        line = next(
            (line for line in result.stdout.splitlines() if line.startswith("WRK_JSON ")), None
        )
        if result.returncode or line is None:
            raise BenchError(f"wrk failed on {path}:\n{result.stdout}{result.stderr}")
        drain(port, self.connections)
        data = json.loads(line.removeprefix("WRK_JSON "))
        # No answer within the run (a slow page in a 1 s run) means no latency to report.
        answered = data["requests"] > 0
        return Measure(
            rps=data["requests"] / (data["duration_us"] / 1e6),
            p50_ms=data["p50_us"] / 1000 if answered else float("nan"),
            p99_ms=data["p99_us"] / 1000 if answered else float("nan"),
            requests=int(data["requests"]),
            errors=int(data["socket_errors"] + data["non_2xx"]),
        )


def median(values) -> float:
    """Return the median of the figures there are (NaN marks a round without answers)."""
    values = [value for value in values if not math.isnan(value)]
    return statistics.median(values) if values else float("nan")
