"""Bring the database to the schema this code knows, or refuse a schema written by a newer version."""

import logging

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from app.config import ROOT

log = logging.getLogger(__name__)


class SchemaTooNewError(RuntimeError):
    """The database carries a migration revision that this version of the lab does not have."""


def alembic_config() -> Config:
    """Alembic's configuration for the project's `migrations/` folder."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


def ensure_schema(engine: Engine) -> None:
    """Upgrade the database to head; raise SchemaTooNewError if it is ahead of this code."""
    cfg = alembic_config()
    known = {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
        unknown = [rev for rev in current if rev not in known]
        if unknown:
            raise SchemaTooNewError(
                f"The database {engine.url.render_as_string(hide_password=True)} has schema revision "
                f"{', '.join(unknown)}, which this lab does not know: a newer version wrote it. "
                "Upgrade the lab, or point DATABASE_URL at another database."
            )
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
    log.info("database schema at head")
