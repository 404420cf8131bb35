"""The key that signs cookies and CSRF tokens."""

import logging
import os
import secrets
from pathlib import Path

from app.config import Settings

log = logging.getLogger(__name__)


def resolve_secret_key(settings: Settings) -> str:
    """SECRET_KEY if set; else a key made once and kept in var/secret_key, so cookies survive restarts.

    Servers starting at once on one var folder must not make different keys: each writes its candidate to
    a file of its own, then links it into place, which only the first can do; everyone reads the winner.
    """
    if settings.secret_key:
        return settings.secret_key
    path: Path = settings.var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(32))
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(candidate, path)  # atomic, and fails when another server's key is already in place
        log.info("generated a secret key in %s (set SECRET_KEY to share one between machines)", path)
    except FileExistsError:
        pass
    finally:
        candidate.unlink()
    return path.read_text().strip()
