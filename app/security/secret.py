"""The key that signs cookies and CSRF tokens."""

import logging
import os
import secrets
from pathlib import Path

from app.config import Settings

log = logging.getLogger(__name__)


def resolve_secret_key(settings: Settings) -> str:
    """SECRET_KEY if set; else a key made once and kept in var/secret_key, so cookies survive restarts."""
    if settings.secret_key:
        return settings.secret_key
    path: Path = settings.var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    log.info("generated a secret key in %s (set SECRET_KEY to share one between machines)", path)
    return key
