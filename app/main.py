"""The application factory: settings, database, content, security and the feature routers."""

import logging
from contextlib import asynccontextmanager

import torch
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from app.apidocs.router import router as apidocs_router
from app.architecture import api as architecture_api
from app.architecture import router as architecture_pages
from app.attention import api as attention_api
from app.attention import router as attention_pages
from app.capacity.gate import ModelGate
from app.catalog import api as catalog_api
from app.catalog import router as catalog_pages
from app.catalog.lesson_extras import attach_catalog
from app.catalog.models import load_catalog
from app.completions import router as completions_pages
from app.config import Settings, get_settings
from app.context import api as context_api
from app.context import router as context_pages
from app.dashboard.router import router as dashboard_router
from app.db import make_engine, make_sessionmaker
from app.embeddings import api as embeddings_api
from app.embeddings import router as embeddings_pages
from app.embeddings.handle import EncoderHandle
from app.embeddings.model import check_model_files, load_sentence_encoder, model_dir
from app.embeddings.search import search_index_handle
from app.errors import install_error_handlers
from app.home.router import router as home_router
from app.labmodel.service import LogitsCache, load_model
from app.lessons.content import Course, load_course
from app.lessons.extras import LessonExtras
from app.lessons.router import router as lessons_router
from app.migrate import ensure_schema
from app.mock.router import router as mock_router
from app.observability.collectors import app_registry
from app.observability.health import DatabaseProbe
from app.observability.middleware import MetricsMiddleware
from app.observability.router import router as observability_router
from app.quiz.bank import load_question_bank
from app.quiz.generated import generator_tools
from app.quiz.router import register_lesson_quizzes
from app.quiz.router import router as quiz_router
from app.quiz.warmup import grader_warmup_handle
from app.ratelimit.limiter import RateLimiter
from app.requestlog.middleware import RequestLogMiddleware
from app.review.router import router as review_router
from app.sampling_lab import api as sampling_api
from app.sampling_lab import router as sampling_pages
from app.security.cookies import LearnerCookie, LearnerCookieMiddleware
from app.security.csrf import csrf_protect
from app.security.head_limits import HeadLimitMiddleware
from app.security.middleware import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from app.security.secret import resolve_secret_key
from app.templating import make_templates
from app.timeutil import utcnow
from app.timing import ServerTimingMiddleware
from app.tokenizer.api import router as tokenizer_api_router
from app.tokenizer.encodings import EncodingFileError, load_encodings
from app.tokenizer.lesson_extras import register_lesson_extras as register_tokenizer_extras
from app.tokenizer.router import router as tokenizer_router
from app.training import router as training_pages

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
    try:
        encodings = load_encodings(settings)
    except EncodingFileError as exc:
        raise StartupError(str(exc)) from exc
    model_catalog = load_catalog(settings.content_dir / "models.yaml", encodings=encodings.names)
    question_bank = load_question_bank(settings.content_dir / "questions", course)
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    secret_key = resolve_secret_key(settings)
    # Process-wide: each request runs a small model; threads per op only contend across requests.
    torch.set_num_threads(settings.torch_threads)
    lab_model = load_model(settings.model_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # MiniLM, then the lesson search index and the grader's warm-up, load on daemon threads: the lab
        # serves while they do.
        app.state.sentence_encoder.start()
        app.state.search_index.start()
        app.state.grader_warmup.start()
        yield
        app.state.training.runs.shutdown()
        app.state.database_probe.close()
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
    app.state.encodings = encodings
    app.state.model_catalog = model_catalog
    app.state.lab_model = lab_model
    app.state.logits_cache = LogitsCache(settings.logits_cache_size)
    app.state.model_gate = ModelGate(
        settings.model_workers, settings.model_queue, max_wait=settings.model_queue_wait
    )
    app.state.database_probe = DatabaseProbe(settings.database_url)
    app.state.metrics_registry = app_registry(app.state.model_gate, app.state.logits_cache)
    app.state.clock = utcnow
    app.state.rate_limiter = RateLimiter(
        per_learner=settings.rate_limit_learner, per_address=settings.rate_limit_address
    )
    app.state.question_bank = question_bank
    app.state.generator_tools = generator_tools(encodings, model_catalog)
    check_model_files(model_dir())  # missing weights stop the start; loading them does not hold it up
    app.state.sentence_encoder = EncoderHandle(load_sentence_encoder)  # .get() once loaded
    app.state.search_index = search_index_handle(
        app.state.sentence_encoder, course, settings.var_dir / "embeddings"
    )
    app.state.grader_warmup = grader_warmup_handle(app.state.sentence_encoder, question_bank)

    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeadLimitMiddleware)  # 414/431 for an oversized target or header fields
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(LearnerCookieMiddleware, cookie=app.state.cookies)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(ServerTimingMiddleware)  # outer: it times everything inside
    app.add_middleware(RequestLogMiddleware)  # added last: outermost, so every response has an id and a line
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    install_error_handlers(app)
    for router in (
        observability_router,
        home_router,
        lessons_router,
        tokenizer_router,
        tokenizer_api_router,
        apidocs_router,
        attention_pages.router,
        attention_api.router,
        sampling_pages.router,
        sampling_api.router,
        context_pages.router,
        context_api.router,
        completions_pages.router,
        quiz_router,
        mock_router,
        review_router,
        dashboard_router,
        catalog_pages.router,
        catalog_api.router,
        architecture_pages.router,
        architecture_api.router,
        embeddings_pages.router,
        embeddings_api.router,
        training_pages.router,
    ):
        app.include_router(router)
    extras = app.state.lesson_extras
    register_tokenizer_extras(extras, course=course)
    attention_pages.register_lesson_extras(extras)
    sampling_pages.register_lesson_extras(extras)
    attach_catalog(app, course)
    context_pages.register_lesson_extras(extras, course=course, content_dir=settings.content_dir)
    completions_pages.register_lesson_extras(extras)
    architecture_pages.register_lesson_extras(extras, course=course, content_dir=settings.content_dir)
    embeddings_pages.register_lesson_extras(extras)
    training_pages.install(app)
    register_lesson_quizzes(extras, course, question_bank)
    _check_extras(course, app.state.lesson_extras)
    return app


def _check_extras(course: Course, extras: LessonExtras) -> None:
    """Every extra must attach to a heading that exists, or a content edit would silently drop it."""
    for lesson in course.lessons:
        known = {entry.anchor for entry in lesson.rendered.toc}
        for anchor in extras.anchors(lesson.slug):
            if anchor not in known:
                raise StartupError(f"lesson '{lesson.slug}' has no heading '#{anchor}' for its extra")
        tables = {(section.anchor, section.table_count) for section in lesson.rendered.sections}
        for anchor, number in extras.replaced_tables(lesson.slug):
            if not any(a == anchor and number < count for a, count in tables):
                raise StartupError(
                    f"lesson '{lesson.slug}' has no table {number} under '#{anchor}' to replace"
                )
