"""A real PostgreSQL server for the tests: pytest-postgresql's process fixture on the machine's pg_ctl.

One server per test session (initdb + start take a few seconds); every test that asks for it gets a fresh,
empty database of its own, created from the server's template database and dropped afterwards.

PostgreSQL refuses to run as root. When the tests run as root (as in CI containers), pg_ctl is called
through a two-line wrapper that runs it as the `postgres` user that Debian's package creates, and the
folders pytest made for the server are handed to that user.
"""

import glob
import os
import shutil
import stat
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_postgresql import factories
from pytest_postgresql.executors import PostgreSQLExecutor
from pytest_postgresql.janitor import DatabaseJanitor

SERVER_USER = "postgres"  # the account Debian's postgresql package creates, and the server's superuser
# Test data is thrown away: skip the disk flushes that only protect against a power cut.
FAST_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def find_pg_ctl(configured: str | None = None) -> str | None:
    """pg_ctl: the configured one, else pg_config's bin folder, else the newest Debian install, else PATH."""
    if configured and os.access(configured, os.X_OK):
        return configured
    candidates = []
    try:
        bindir = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
        candidates.append(os.path.join(bindir, "pg_ctl"))
    except (OSError, subprocess.SubprocessError):
        pass
    debian = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")
    candidates += sorted(debian, key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)[::-1]
    candidates.append(shutil.which("pg_ctl") or "")
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def _as_server_user(pg_ctl: str, folder: Path) -> str:
    """A pg_ctl that runs the real one as `postgres`, handing it the folder pytest made for the data."""
    wrapper = folder / "pg_ctl-as-postgres"
    wrapper.write_text(
        "#!/bin/sh\n"
        "# initdb's folder is made by root-run pytest: give its parent (the server's own folder) to postgres.\n"
        f'[ "$1" = initdb ] && chown {SERVER_USER} "$(dirname "$3")"\n'
        f'exec runuser -u {SERVER_USER} -- "{pg_ctl}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper)


def _let_server_user_through(path: Path) -> None:
    """Let other users traverse (not list) pytest's root-only temporary folders down to `path`."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _pg_ctl_for_tests(tmp_path_factory: pytest.TempPathFactory, configured: str | None) -> str:
    pg_ctl = find_pg_ctl(configured)
    if pg_ctl is None:
        pytest.fail(
            "PostgreSQL's pg_ctl was not found: run `make test` (it installs Debian's postgresql when run as "
            "root), or `apt-get install postgresql`, or pass --postgresql-exec=/path/to/pg_ctl; "
            "`-m 'not postgres'` runs the SQLite tests only."
        )
    if os.geteuid() != 0:
        return pg_ctl
    try:
        subprocess.run(["id", "-u", SERVER_USER], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.fail(f"running as root, PostgreSQL needs the '{SERVER_USER}' user (apt-get install postgresql)")
    _let_server_user_through(tmp_path_factory.getbasetemp())
    return _as_server_user(pg_ctl, tmp_path_factory.mktemp("pg-ctl"))


@pytest.fixture(scope="session")
def lab_pg_ctl(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The pg_ctl the process fixture runs (through the root wrapper when the tests run as root)."""
    configured = request.config.getoption("postgresql_exec") or os.environ.get("PG_CTL") or None
    return _pg_ctl_for_tests(tmp_path_factory, configured)


# pytest-postgresql's process fixture: initdb, then pg_ctl start on a free port, with a template database.
_postgresql_server = factories.postgresql_proc(port=None, postgres_options=FAST_OPTIONS)


@pytest.fixture(scope="session")
def lab_postgresql_proc(request: pytest.FixtureRequest, lab_pg_ctl: str) -> Iterator[PostgreSQLExecutor]:
    """The session's PostgreSQL server, started the first time a test needs it."""
    # The process fixture takes its pg_ctl from the --postgresql-exec option: the one found (or wrapped) above.
    request.config.option.postgresql_exec = lab_pg_ctl
    yield request.getfixturevalue("_postgresql_server")


@pytest.fixture
def postgresql_url(lab_postgresql_proc: PostgreSQLExecutor) -> Iterator[str]:
    """A fresh, empty database on the session's server, as a SQLAlchemy URL; dropped after the test."""
    server = lab_postgresql_proc
    name = f"lab_{uuid.uuid4().hex[:12]}"
    janitor = DatabaseJanitor(
        user=server.user,
        host=server.host,
        port=server.port,
        dbname=name,
        template_dbname=server.template_dbname,
        password=server.password,
    )
    janitor.init()
    yield f"postgresql+psycopg://{server.user}@{server.host}:{server.port}/{name}"
    janitor.drop()
