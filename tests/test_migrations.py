"""The schema comes from Alembic alone: upgrade to head on an empty database, then back down to base.

Each test runs on SQLite and on the real PostgreSQL server (tests/databases.py).
"""

from alembic import command
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
