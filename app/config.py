"""Settings from the environment and `.env`, in one typed place."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything the lab can be configured with; each field maps to an upper-case environment variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'var' / 'lab.db'}",
        description="SQLAlchemy URL; SQLite by default, postgresql+psycopg://… for several workers.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Signs cookies and CSRF tokens. Unset: generated once and kept in var/secret_key.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    content_dir: Path = ROOT / "content"
    static_dir: Path = ROOT / "static"
    templates_dir: Path = ROOT / "templates"
    var_dir: Path = ROOT / "var"
    max_body_bytes: int = Field(default=1_048_576, description="Largest request body accepted, in bytes.")
    cookie_secure: bool = Field(default=False, description="Send cookies only over HTTPS (set behind TLS).")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
