"""The schema comes from Alembic alone: upgrade to head on an empty database, then back down to base."""

from alembic import command
from sqlalchemy import create_engine, inspect, text

from app.db import make_engine
from app.main import create_app
from app.migrate import SchemaTooNewError, alembic_config, ensure_schema
from app.models import Base


def _run(url: str, action: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        getattr(command, action)(cfg, "head" if action == "upgrade" else "base")


def test_upgrade_to_head_then_downgrade_to_base(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    _run(url, "upgrade")
    tables = set(inspect(create_engine(url)).get_table_names())
    assert set(Base.metadata.tables) <= tables
    _run(url, "downgrade")
    assert set(inspect(create_engine(url)).get_table_names()) == {"alembic_version"}


def test_models_match_migrations(tmp_path):
    """Every column the ORM declares exists after migrating (no create_all anywhere)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    ensure_schema(engine)
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        migrated = {column["name"] for column in inspector.get_columns(table.name)}
        assert migrated == {column.name for column in table.columns}, table.name


def test_missing_database_file_is_created_and_migrated(tmp_path, settings):
    db_file = tmp_path / "nested" / "new.db"
    settings.database_url = f"sqlite:///{db_file}"
    create_app(settings)
    assert db_file.exists()
    assert "learner" in inspect(create_engine(settings.database_url)).get_table_names()


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
