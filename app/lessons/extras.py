"""Lesson extras: live widgets and computed tables that other features place after a lesson's section.

A feature registers a renderer for (lesson slug, heading anchor); the lesson page calls it at render
time and inserts its HTML right after that section. The lessons feature knows nothing of the widgets.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request
from markupsafe import Markup

ExtraRenderer = Callable[[Request], Markup]


@dataclass
class LessonExtras:
    """The registry of extras, one per app (kept on app.state.lesson_extras)."""

    _by_slug: dict[str, list[tuple[str, ExtraRenderer]]] = field(default_factory=dict)

    def register(self, slug: str, after_anchor: str, render: ExtraRenderer) -> None:
        """Show `render(request)` after the section whose heading has this anchor."""
        self._by_slug.setdefault(slug, []).append((after_anchor, render))

    def render_for(self, slug: str, request: Request) -> dict[str, list[Markup]]:
        """The extras of one lesson, rendered, keyed by the anchor they follow."""
        rendered: dict[str, list[Markup]] = {}
        for anchor, render in self._by_slug.get(slug, []):
            rendered.setdefault(anchor, []).append(render(request))
        return rendered

    def anchors(self, slug: str) -> list[str]:
        """The anchors this lesson's extras attach to (checked against the lesson at start-up)."""
        return [anchor for anchor, _ in self._by_slug.get(slug, [])]
