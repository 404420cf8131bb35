"""Lesson extras: live widgets and computed tables that other features place after a lesson's section.

A feature registers a renderer for (lesson slug, heading anchor); the lesson page calls it at render
time and inserts its HTML right after that section. A feature may also put a table of its own in place of
one of the section's tables (`replace_table`), rendered from data the text's table is checked against.
The lessons feature knows nothing of the widgets.
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
    _tables: dict[str, dict[tuple[str, int], ExtraRenderer]] = field(default_factory=dict)

    def register(self, slug: str, after_anchor: str, render: ExtraRenderer) -> None:
        """Show `render(request)` after the section whose heading has this anchor."""
        self._by_slug.setdefault(slug, []).append((after_anchor, render))

    def render_for(self, slug: str, request: Request) -> dict[str, list[Markup]]:
        """The extras of one lesson, rendered, keyed by the anchor they follow."""
        rendered: dict[str, list[Markup]] = {}
        for anchor, render in self._by_slug.get(slug, []):
            rendered.setdefault(anchor, []).append(render(request))
        return rendered

    def replace_table(self, slug: str, anchor: str, table: int, render: ExtraRenderer) -> None:
        """Show `render(request)` instead of the section's table number `table` (0 is its first)."""
        self._tables.setdefault(slug, {})[(anchor, table)] = render

    def tables_for(self, slug: str, request: Request) -> dict[tuple[str, int], Markup]:
        """The replaced tables of one lesson, rendered, keyed by (anchor, table number)."""
        return {key: render(request) for key, render in self._tables.get(slug, {}).items()}

    def replaced_tables(self, slug: str) -> list[tuple[str, int]]:
        """The (anchor, table number) pairs replaced in this lesson (checked against it at start-up)."""
        return list(self._tables.get(slug, {}))

    def anchors(self, slug: str) -> list[str]:
        """The anchors this lesson's extras attach to (checked against the lesson at start-up)."""
        return [anchor for anchor, _ in self._by_slug.get(slug, [])]
