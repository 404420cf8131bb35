"""Jinja2 templates with autoescaping and the context every page needs."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app.security.csrf import csrf_token_for

# Stands in for the learner's CSRF token in HTML rendered once for every learner (shared lesson extras).
CSRF_PLACEHOLDER = "csrf-token-of-the-learner"


def page_csrf_token(request: Request) -> str:
    """The CSRF token of the request's learner ("" before a learner is known)."""
    learner_id = getattr(request.state, "learner_id", None)
    return csrf_token_for(request.app.state.secret_key, learner_id) if learner_id else ""


@contextmanager
def rendering_shared(request: Request) -> Iterator[None]:
    """Within it, templates rendered for this request get CSRF_PLACEHOLDER as their CSRF token."""
    request.state.rendering_shared = True
    try:
        yield
    finally:
        request.state.rendering_shared = False


def _page_context(request: Request) -> dict[str, Any]:
    shared = getattr(request.state, "rendering_shared", False)
    token = CSRF_PLACEHOLDER if shared else page_csrf_token(request)
    return {"csrf_token": token, "course": request.app.state.course}


def visible(token: str) -> str:
    """A token for display: whitespace made visible, so " cat" and "cat" differ on screen."""
    return token.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")


def pct(p: float) -> str:
    """A probability as a percentage with one decimal ("<0.1%" below 0.001, except exactly 0)."""
    return f"{p * 100:.1f}%" if p >= 0.001 or p == 0 else "<0.1%"


def make_templates(templates_dir: Path) -> Jinja2Templates:
    """The app's template engine; autoescape is on for every .html template."""
    templates = Jinja2Templates(directory=str(templates_dir), context_processors=[_page_context])
    templates.env.autoescape = True
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    # Filters, not macros, for what the model widgets print per token: a Jinja macro call costs ~10x a
    # Python call, and a slider partial or a 64-token heatmap makes hundreds to thousands of them.
    templates.env.filters["visible"] = visible
    templates.env.filters["pct"] = pct
    return templates


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
):
    """Render a template with the request's page context."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code, headers=headers)


def render_fragment(request: Request, name: str, context: dict[str, Any] | None = None) -> Markup:
    """A template's HTML with the page context, to embed in another page (a lesson extra, for one)."""
    templates: Jinja2Templates = request.app.state.templates
    page_context = {"request": request, **_page_context(request), **(context or {})}
    return Markup(templates.get_template(name).render(page_context))
