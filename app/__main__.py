"""`python -m app`: migrate, then serve on HOST:PORT; start-up problems print one clear line."""

import logging
import sys

import uvicorn

from app.config import get_settings
from app.embeddings.model import EmbeddingModelError
from app.lessons.content import ContentError
from app.lm.checkpoint import CheckpointError
from app.main import StartupError, create_app
from app.memory import tune_malloc
from app.migrate import SchemaTooNewError
from app.serving import server_options


def main() -> None:
    """Create the app and serve it with uvicorn."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    tune_malloc()  # before the models load and the threads start
    settings = get_settings()
    try:
        app = create_app(settings)
    except (ContentError, SchemaTooNewError, StartupError, CheckpointError, EmbeddingModelError) as exc:
        print(f"The lab cannot start: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"LLM Interview Lab on http://{settings.host}:{settings.port}", file=sys.stderr)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", **server_options())


if __name__ == "__main__":
    main()
