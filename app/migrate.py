"""Bring the database to the schema this code knows, or refuse a schema written by a newer version.

Several servers (or a restart racing an old one) may start on one database at once: the check and the upgrade
run in one transaction that first takes the database's migration lock, so exactly one of them migrates and
the others wait, then find the schema at head. PostgreSQL: a transaction-scoped advisory lock (DDL is
transactional there). SQLite: BEGIN IMMEDIATE, the file's one write lock, held to the commit.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from app.config import ROOT
from app.db import SQLITE_BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)

# pg_advisory_xact_lock's key: any constant the lab alone uses on its database ("llm-lab" in ASCII).
ADVISORY_LOCK_KEY = 0x6C6C6D2D6C6162
SQLITE_LOCK_WAIT_MS = 120_000  # another server migrating the same file: wait for it rather than fail


class SchemaTooNewError(RuntimeError):
    """The database carries a migration revision that this version of the lab does not have."""


def alembic_config() -> Config:
    """Alembic's configuration for the project's `migrations/` folder."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


@contextmanager
def migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the database's migration lock; committed on success."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        elif connection.dialect.name == "sqlite":
            # pysqlite would start a deferred transaction only at the first write; take the lock up front.
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_LOCK_WAIT_MS}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        else:
            connection.commit()
        finally:
            if connection.dialect.name == "sqlite":  # back to the pool with the usual wait (app/db.py)
                connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def ensure_schema(engine: Engine) -> None:
    """Upgrade the database to head under the migration lock; raise SchemaTooNewError if it is ahead."""
    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    with migration_lock(engine) as connection:
        current = MigrationContext.configure(connection).get_current_heads()
        unknown = [rev for rev in current if rev not in known]
        if unknown:
            raise SchemaTooNewError(
                f"The database {engine.url.render_as_string(hide_password=True)} has schema revision "
                f"{', '.join(unknown)}, which this lab does not know: a newer version wrote it. "
                "Upgrade the lab, or point DATABASE_URL at another database."
            )
        if set(current) == {script.get_current_head()}:
            return  # another server migrated while this one waited for the lock, or nothing to do
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
    log.info("database schema at head")
