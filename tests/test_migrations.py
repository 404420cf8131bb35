"""The schema comes from Alembic alone: upgrade to head on an empty database, then back down to base.

Each test runs on SQLite and on the real PostgreSQL server (tests/databases.py).
"""

import sqlite3
import threading
import traceback

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.migrate import SchemaTooNewError, alembic_config, ensure_schema
from app.models import Base
from tests.databases import database_url  # noqa: F401 - both engines for every test here


def _run(url: str, action: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        getattr(command, action)(cfg, "head" if action == "upgrade" else "base")


def test_upgrade_to_head_then_downgrade_to_base(database_url):  # noqa: F811 - the fixture above
    url = database_url
    _run(url, "upgrade")
    tables = set(inspect(create_engine(url)).get_table_names())
    assert set(Base.metadata.tables) <= tables
    _run(url, "downgrade")
    assert set(inspect(create_engine(url)).get_table_names()) == {"alembic_version"}


def test_models_match_migrations(database_url):  # noqa: F811 - the fixture above
    """Every column the ORM declares exists after migrating (no create_all anywhere)."""
    engine = make_engine(database_url)
    ensure_schema(engine)
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        migrated = {column["name"] for column in inspector.get_columns(table.name)}
        assert migrated == {column.name for column in table.columns}, table.name


def test_missing_database_file_is_created_and_migrated(tmp_path, tiny_model_dir):
    """SQLite only: a PostgreSQL database is made by its administrator, not by the lab."""
    db_file = tmp_path / "nested" / "new.db"
    url = f"sqlite:///{db_file}"
    create_app(Settings(database_url=url, var_dir=tmp_path, secret_key="test", model_dir=tiny_model_dir))
    assert db_file.exists()
    assert "learner" in inspect(create_engine(url)).get_table_names()


def test_newer_schema_refuses_to_start(tmp_path, settings):
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'fromthefuture'"))
    try:
        create_app(settings)
    except SchemaTooNewError as exc:
        assert "fromthefuture" in str(exc) and "newer version" in str(exc)
    else:
        raise AssertionError("a database from a newer version must stop the app")


def test_servers_starting_at_once_migrate_once(database_url, monkeypatch):  # noqa: F811 - the fixture above
    """Four servers' start-ups race on one empty database: one migrates, the others wait and find it done."""
    upgrades = []
    real_upgrade = command.upgrade

    def counted_upgrade(*args, **kwargs):  # noqa: ANN002, ANN003 - alembic's own signature
        upgrades.append(1)
        return real_upgrade(*args, **kwargs)

    monkeypatch.setattr("app.migrate.command.upgrade", counted_upgrade)
    starting = threading.Barrier(4)
    errors = []

    def start_server() -> None:
        engine = make_engine(database_url)
        starting.wait()
        try:
            ensure_schema(engine)
        except Exception:  # noqa: BLE001 - every failure is the finding, with where it was raised
            errors.append(traceback.format_exc())
        finally:
            engine.dispose()

    servers = [threading.Thread(target=start_server) for _ in range(4)]
    for server in servers:
        server.start()
    for server in servers:
        server.join(timeout=120)
    assert not errors, "\n".join(errors)
    assert len(upgrades) == 1
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with create_engine(database_url).connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]


def test_a_new_file_switches_to_wal_once_another_connection_lets_go(tmp_path):
    """Switching a new file to WAL while another connection holds its write lock fails at once in SQLite
    (no busy wait): the race behind a CI failure of the test above. The lab's connections wait and retry."""
    path = tmp_path / "lab.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE t (x)")
    release = threading.Timer(0.3, holder.execute, args=("COMMIT",))
    release.start()
    try:
        with make_engine(f"sqlite:///{path}").connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        release.join()
        holder.close()
