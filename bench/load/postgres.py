"""A throwaway PostgreSQL cluster for one benchmark: initdb and pg_ctl in a temporary folder, on 127.0.0.1.

PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user (runuser).
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from glob import glob
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries, no driver, or no user to run them as."""


def server_bin() -> Path:
    """The folder of initdb, pg_ctl and createdb: pg_ctl's on PATH (links followed), else Debian's newest
    /usr/lib/postgresql/<n>/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path and (Path(on_path).resolve().parent / "initdb").exists():
        return Path(on_path).resolve().parent
    debian = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not debian:
        raise PostgresUnavailable("no PostgreSQL server (pg_ctl) here: apt-get install postgresql")
    return Path(debian[-1]).parent


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    if not shutil.which("runuser"):
        raise PostgresUnavailable("running as root without runuser: PostgreSQL will not run as root")
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def cluster(port: int) -> Iterator[str]:
    """A fresh cluster serving database `lab` on 127.0.0.1:port; yields its SQLAlchemy URL."""
    try:
        import psycopg  # noqa: F401 - the lab's driver for postgresql+psycopg URLs
    except ImportError as exc:
        raise PostgresUnavailable("psycopg is not installed") from exc
    binaries = server_bin()
    folder = Path(tempfile.mkdtemp(prefix="lab-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, user="postgres", group="postgres")
    log = folder / "server.log"
    try:
        subprocess.run(
            _as_owner(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "lab",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        subprocess.run(
            _as_owner(
                [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )
        try:
            subprocess.run(
                [str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "lab", "lab"],
                check=True,
                capture_output=True,
            )
            yield f"postgresql+psycopg://lab@127.0.0.1:{port}/lab"
        finally:
            subprocess.run(
                _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
            )
    except subprocess.CalledProcessError as exc:
        stderr = (exc.stderr or b"").decode(errors="replace").strip()[-300:]
        raise PostgresUnavailable(f"{' '.join(map(str, exc.cmd))} failed: {stderr}") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
