"""`python -m app`: migrate, then serve on HOST:PORT with WORKERS processes; start-up problems print one line.

One worker serves the app built here. Several (WORKERS=n) are uvicorn's worker processes, each building its
own app from the same settings (`app.main:create_app` as a factory) and sharing nothing but the database:
before they start, this process checks the content, migrates the database and makes the secret key, once,
so the workers neither race to migrate nor make different keys. It imports no model code, so the parent
that watches the workers stays small.
"""

import logging
import sys

import uvicorn

from app.config import Settings, get_settings
from app.db import make_engine
from app.lessons.content import ContentError, load_course
from app.memory import tune_malloc
from app.migrate import SchemaTooNewError, ensure_schema
from app.security.secret import resolve_secret_key
from app.serving import server_options


def prepare_shared_state(settings: Settings) -> None:
    """What several workers must find done, not do each: valid content, a migrated database, one key."""
    load_course(settings.content_dir)  # a bad lesson stops here with one line, not in every worker
    engine = make_engine(settings.database_url)
    try:
        ensure_schema(engine)
    finally:
        engine.dispose()
    resolve_secret_key(settings)


def main() -> None:
    """Serve the lab with uvicorn: the app built here, or WORKERS worker processes that build their own."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    tune_malloc()  # before the models load and the threads start
    settings = get_settings()
    url = f"http://{settings.host}:{settings.port}"
    if settings.workers > 1:
        try:
            prepare_shared_state(settings)
        except (ContentError, SchemaTooNewError) as exc:
            print(f"The lab cannot start: {exc}", file=sys.stderr)
            sys.exit(1)
        print(f"LLM Interview Lab on {url} ({settings.workers} workers)", file=sys.stderr)
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level="info",
            **server_options(),
        )
        return
    from app.embeddings.model import EmbeddingModelError
    from app.lm.checkpoint import CheckpointError
    from app.main import StartupError, create_app

    try:
        app = create_app(settings)
    except (ContentError, SchemaTooNewError, StartupError, CheckpointError, EmbeddingModelError) as exc:
        print(f"The lab cannot start: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"LLM Interview Lab on {url}", file=sys.stderr)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", **server_options())


if __name__ == "__main__":
    main()
