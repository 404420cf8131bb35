"""Jinja2 templates with autoescaping and the context every page needs."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app.security.csrf import csrf_token_for


def _page_context(request: Request) -> dict[str, Any]:
    learner_id = getattr(request.state, "learner_id", None)
    token = csrf_token_for(request.app.state.secret_key, learner_id) if learner_id else ""
    return {"csrf_token": token, "course": request.app.state.course}


def make_templates(templates_dir: Path) -> Jinja2Templates:
    """The app's template engine; autoescape is on for every .html template."""
    templates = Jinja2Templates(directory=str(templates_dir), context_processors=[_page_context])
    templates.env.autoescape = True
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
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
