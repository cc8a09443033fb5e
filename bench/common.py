"""Helpers shared by the benchmarks: throwaway databases, valid test ID numbers, loopback ports and processes.

Nothing here imports the shop at module level: the benchmarks' parent processes stay small (see export.py).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
import uuid
from contextlib import contextmanager, suppress
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# --- Databases ------------------------------------------------------------------------------------------


@contextmanager
def bench_database(server_url: str | None, work: Path):
    """The URL of an empty database of our own, dropped afterwards: never one that exists already.

    Without `server_url`, a new SQLite file in `work` (removed with it); with one, a new
    `globalbuy_bench_<random>` database on that PostgreSQL server (the database named is only used to create
    and drop it).
    """
    if not server_url:
        yield f"sqlite:///{work / 'bench.sqlite3'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    if url.get_backend_name() != "postgresql":
        raise SystemExit("--database-url must name a PostgreSQL server (SQLite is the default)")
    name = f"globalbuy_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database=url.database or "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_reachable(server_url: str, timeout: int = 3) -> bool:
    """Whether a PostgreSQL server answers at `server_url` (and lets us in)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server_url, connect_args={"connect_timeout": timeout})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # not installed, not running, refused: all mean "not here"
        return False
    finally:
        engine.dispose()


def id_number(rng: random.Random, region: str) -> str:
    """A valid resident ID number (CBEC-RULES §3: checksum, real birth date), never a real person's."""
    from shop.customs.rules import ID_CHECK_CHARS, ID_WEIGHTS

    born = date(1960, 1, 1) + timedelta(days=rng.randrange(40 * 365))
    body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


# --- Loopback servers -----------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nothing listens on at the moment, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def serving(name: str, command: list[str], *, port: int, env: dict, log: Path, timeout: float = 60):
    """Run `command` (a server on 127.0.0.1:`port`) until the block ends, then stop it and its children.

    It runs in a session of its own, so that stopping it reaches its workers too (and only them), also when
    the block ends with an error or Ctrl-C. Its output goes to `log`, whose tail is shown if it fails to start.
    """
    with log.open("ab") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                raise SystemExit(f"{name} did not start on port {port}:\n{tail}")
            time.sleep(0.1)
        yield proc
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM to the process group that `proc` leads, then SIGKILL if it is still there after `grace` s."""
    if proc.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
    with suppress(ProcessLookupError):  # workers left behind by a master that died, or one that hangs
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def wait_ready(url: str, timeout: float = 300) -> None:
    """Until `url` answers at all (a booted server whose workers may still be importing the app)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=timeout).close()
            return
        except urllib.error.HTTPError:
            return  # an answer, even an error one
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
