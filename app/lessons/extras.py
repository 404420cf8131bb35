"""Lesson extras: live widgets and computed tables that other features place after a lesson's section.

A feature registers a renderer for (lesson slug, heading anchor); the lesson page calls it at render
time and inserts its HTML right after that section. A feature may also put a table of its own in place of
one of the section's tables (`replace_table`), rendered from data the text's table is checked against.
The lessons feature knows nothing of the widgets.

An extra registered with `shared=True` draws the same HTML for every learner (the content and models it
reads are loaded once at start): it is rendered once, with a placeholder for the CSRF token that its forms
carry, and each request gets that HTML with its own learner's token put in. One that reads a background
load gives `ready`, and stays uncached until ready(request) is true, so a "loading" state is never kept.
Everything else (a quiz, with the learner's answers) renders on every request.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request
from markupsafe import Markup

from app.templating import CSRF_PLACEHOLDER, page_csrf_token, rendering_shared

ExtraRenderer = Callable[[Request], Markup]
Readiness = Callable[[Request], bool]


@dataclass(frozen=True)
class _Extra:
    render: ExtraRenderer
    shared: bool
    ready: Readiness | None


@dataclass
class LessonExtras:
    """The registry of extras, one per app (kept on app.state.lesson_extras)."""

    _by_slug: dict[str, list[tuple[str, _Extra]]] = field(default_factory=dict)
    _tables: dict[str, dict[tuple[str, int], _Extra]] = field(default_factory=dict)
    # Rendered shared extras, by the extra: bounded by the registrations, which are made at start only.
    _rendered: dict[int, str] = field(default_factory=dict)

    def register(
        self,
        slug: str,
        after_anchor: str,
        render: ExtraRenderer,
        *,
        shared: bool = False,
        ready: Readiness | None = None,
    ) -> None:
        """Show `render(request)` after the section whose heading has this anchor."""
        self._by_slug.setdefault(slug, []).append((after_anchor, _Extra(render, shared, ready)))

    def render_for(self, slug: str, request: Request) -> dict[str, list[Markup]]:
        """The extras of one lesson, rendered, keyed by the anchor they follow."""
        rendered: dict[str, list[Markup]] = {}
        for anchor, extra in self._by_slug.get(slug, []):
            rendered.setdefault(anchor, []).append(self._render(extra, request))
        return rendered

    def replace_table(
        self,
        slug: str,
        anchor: str,
        table: int,
        render: ExtraRenderer,
        *,
        shared: bool = False,
        ready: Readiness | None = None,
    ) -> None:
        """Show `render(request)` instead of the section's table number `table` (0 is its first)."""
        self._tables.setdefault(slug, {})[(anchor, table)] = _Extra(render, shared, ready)

    def tables_for(self, slug: str, request: Request) -> dict[tuple[str, int], Markup]:
        """The replaced tables of one lesson, rendered, keyed by (anchor, table number)."""
        return {key: self._render(extra, request) for key, extra in self._tables.get(slug, {}).items()}

    def replaced_tables(self, slug: str) -> list[tuple[str, int]]:
        """The (anchor, table number) pairs replaced in this lesson (checked against it at start-up)."""
        return list(self._tables.get(slug, {}))

    def anchors(self, slug: str) -> list[str]:
        """The anchors this lesson's extras attach to (checked against the lesson at start-up)."""
        return [anchor for anchor, _ in self._by_slug.get(slug, [])]

    def _render(self, extra: _Extra, request: Request) -> Markup:
        if not extra.shared:
            return extra.render(request)
        html = self._rendered.get(id(extra))
        if html is None:
            ready = extra.ready is None or extra.ready(request)  # asked first: a render after it saw the data
            with rendering_shared(request):
                html = str(extra.render(request))
            if ready:
                self._rendered[id(extra)] = html  # two requests racing here both store the same HTML
        return Markup(html.replace(CSRF_PLACEHOLDER, page_csrf_token(request)))
