"""A real PostgreSQL server for the tests, started with pytest-postgresql's executor on the machine's pg_ctl.

One server per test session (initdb and start take a few seconds), started the first time a test asks for
it; every test that asks gets a fresh, empty database of its own, cloned from the server's template
database and dropped afterwards.

PostgreSQL refuses to run as root. When the tests run as root (CI containers, this workplace), pg_ctl runs
through a small wrapper as the `postgres` user that Debian's package creates. That user must reach the data
folder, which is why the server lives in a folder of its own under the system's temporary folder rather
than under pytest's: pytest keeps `/tmp/pytest-of-root` closed to other users (it re-closes it at the start
of every session), so pytest-postgresql's own `postgresql_proc` factory, which puts its data there, cannot
serve a root-run suite. This fixture does what that factory does (PostgreSQLExecutor, then a template
database made by DatabaseJanitor) with the data folder moved.
"""

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import port_for
import pytest
from pytest_postgresql.executors import PostgreSQLExecutor
from pytest_postgresql.janitor import DatabaseJanitor

SERVER_USER = "postgres"  # the account Debian's postgresql package creates, and the server's superuser
TEMPLATE = "lab_tmpl"
# Test data is thrown away: skip the disk flushes that only protect against a power cut.
FAST_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def _version_key(pg_ctl: str) -> int:
    version = Path(pg_ctl).parts[-3]  # /usr/lib/postgresql/<version>/bin/pg_ctl
    return int(version) if version.isdigit() else 0


def find_pg_ctl(configured: str | None = None) -> str | None:
    """pg_ctl: the configured one, else pg_config's bin folder, else Debian's newest install, else PATH."""
    candidates = [configured or ""]
    try:
        bindir = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
        candidates.append(os.path.join(bindir, "pg_ctl"))
    except (OSError, subprocess.SubprocessError):
        pass
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=_version_key, reverse=True)
    candidates.append(shutil.which("pg_ctl") or "")
    return next((str(c) for c in candidates if c and os.access(c, os.X_OK)), None)


def _runs_as_server_user(pg_ctl: str, folder: Path) -> str:
    """A pg_ctl that runs the real one as `postgres` (for a root-run suite)."""
    wrapper = folder / "pg_ctl"
    wrapper.write_text(f'#!/bin/sh\nexec runuser -u {SERVER_USER} -- "{pg_ctl}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


@pytest.fixture(scope="session")
def lab_postgresql_proc(request: pytest.FixtureRequest) -> Iterator[PostgreSQLExecutor]:
    """The session's PostgreSQL server on a free port, with an empty template database."""
    configured = request.config.getoption("postgresql_exec", None) or os.environ.get("PG_CTL")
    pg_ctl = find_pg_ctl(configured)
    if pg_ctl is None:
        pytest.fail(
            "PostgreSQL's pg_ctl was not found: run `make test` (as root it installs Debian's postgresql), "
            "or apt-get install postgresql, or set PG_CTL=/path/to/pg_ctl; "
            "`pytest -m 'not postgres'` runs the SQLite half alone."
        )
    folder = Path(tempfile.mkdtemp(prefix="lab-tests-postgresql-"))
    scratch = [folder]
    if os.geteuid() == 0:
        if shutil.which("runuser") is None or subprocess.run(["id", "-u", SERVER_USER]).returncode != 0:
            pytest.fail(f"running as root, PostgreSQL needs runuser and the '{SERVER_USER}' user")
        shutil.chown(folder, user=SERVER_USER)
        folder.chmod(0o700)
        scratch.append(Path(tempfile.mkdtemp(prefix="lab-tests-pg_ctl-")))
        pg_ctl = _runs_as_server_user(pg_ctl, scratch[-1])
    port = port_for.select_random()
    server = PostgreSQLExecutor(
        executable=pg_ctl,
        host="127.0.0.1",
        port=port,
        datadir=str(folder / "data"),
        unixsocketdir=str(folder),
        logfile=str(folder / "server.log"),
        startparams="-w",
        dbname="lab",
        user=SERVER_USER,
        postgres_options=FAST_OPTIONS,
    )
    try:
        server.start()
        server.wait_for_postgres()
        template = DatabaseJanitor(
            user=server.user, host=server.host, port=server.port, dbname=TEMPLATE, as_template=True
        )
        template.init()
        yield server
    finally:
        if server.running():
            server.stop()
        for path in scratch:
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def fresh_database(server: PostgreSQLExecutor) -> Iterator[str]:
    """A new, empty database on the server, as a SQLAlchemy URL, dropped on leaving."""
    janitor = DatabaseJanitor(
        user=server.user,
        host=server.host,
        port=server.port,
        dbname=f"lab_{uuid.uuid4().hex[:12]}",
        template_dbname=TEMPLATE,
    )
    janitor.init()
    try:
        yield f"postgresql+psycopg://{server.user}@{server.host}:{server.port}/{janitor.dbname}"
    finally:
        janitor.drop()


@pytest.fixture
def postgresql_url(lab_postgresql_proc: PostgreSQLExecutor) -> Iterator[str]:
    """A fresh, empty database on the session's server for one test."""
    with fresh_database(lab_postgresql_proc) as url:
        yield url
