"""The application factory: settings, database, content, security and the feature routers."""

import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import Settings, get_settings
from app.db import make_engine, make_sessionmaker
from app.errors import install_error_handlers
from app.home.router import router as home_router
from app.lessons.content import Course, load_course
from app.lessons.extras import LessonExtras
from app.lessons.router import router as lessons_router
from app.migrate import ensure_schema
from app.security.cookies import LearnerCookie, LearnerCookieMiddleware
from app.security.csrf import csrf_protect
from app.security.middleware import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from app.security.secret import resolve_secret_key
from app.templating import make_templates

log = logging.getLogger(__name__)

VENDOR_FILES = ("vendor/htmx.min.js",)


class StartupError(RuntimeError):
    """The lab cannot serve: the message says what to do."""


def _check_vendor_files(settings: Settings) -> None:
    missing = [name for name in VENDOR_FILES if not (settings.static_dir / name).is_file()]
    if missing:
        raise StartupError(
            f"front-end files missing from {settings.static_dir}: {', '.join(missing)}. "
            "Run `make run` (or `make static`) to install them from npm."
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the lab: validate content, migrate the database, wire security and routers."""
    settings = settings or get_settings()
    _check_vendor_files(settings)
    course = load_course(settings.content_dir)
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    secret_key = resolve_secret_key(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        engine.dispose()

    app = FastAPI(
        title="LLM Interview Lab",
        summary="An offline lab for LLM fundamentals. The JSON API under /api/ changes no state.",
        version="0.1.0",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; the lab documents its API at /api
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(csrf_protect)],
    )
    app.state.settings = settings
    app.state.course = course
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.secret_key = secret_key
    app.state.cookies = LearnerCookie(secret_key, secure=settings.cookie_secure)
    app.state.templates = make_templates(settings.templates_dir)
    app.state.lesson_extras = LessonExtras()

    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(LearnerCookieMiddleware, cookie=app.state.cookies)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    install_error_handlers(app)
    app.include_router(home_router)
    app.include_router(lessons_router)
    _check_extras(course, app.state.lesson_extras)
    return app


def _check_extras(course: Course, extras: LessonExtras) -> None:
    """Every extra must attach to a heading that exists, or a content edit would silently drop it."""
    for lesson in course.lessons:
        known = {entry.anchor for entry in lesson.rendered.toc}
        for anchor in extras.anchors(lesson.slug):
            if anchor not in known:
                raise StartupError(f"lesson '{lesson.slug}' has no heading '#{anchor}' for its extra")
