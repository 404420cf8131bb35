"""Lesson Markdown to HTML with markdown-it-py: tables, heading anchors, Pygments-highlighted code."""

from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# Lessons are sections of one module: their `###` headings become the page's h2 (the title is the h1).
HEADING_SHIFT = 1


@dataclass(frozen=True)
class TocEntry:
    """One heading of a lesson, for its table of contents."""

    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class Block:
    """A run of a section's HTML: one table (numbered from 0 in its section) or what lies between tables."""

    html: str
    table: int | None = None


@dataclass(frozen=True)
class Section:
    """The HTML of one part of a lesson: from a heading (anchor) to the next, or the lead before any.

    It is kept as blocks so a feature can put a computed table in place of one of the text's tables
    (LessonExtras.replace_table) while everything around it stays the module's.
    """

    anchor: str | None
    blocks: tuple[Block, ...]

    @property
    def html(self) -> str:
        """The whole section."""
        return "".join(block.html for block in self.blocks)

    @property
    def table_count(self) -> int:
        """How many tables the section has."""
        return sum(block.table is not None for block in self.blocks)


@dataclass(frozen=True)
class RenderedLesson:
    """A lesson body as HTML sections plus the headings it contains."""

    sections: tuple[Section, ...]
    toc: tuple[TocEntry, ...]

    @property
    def html(self) -> str:
        """The whole body."""
        return "".join(section.html for section in self.sections)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    """Pygments HTML for a fenced block with a known language; '' lets markdown-it escape it plainly."""
    if not lang:
        return ""  # ASCII diagrams and plain blocks: escaped verbatim, monospace via CSS
    try:
        lexer = get_lexer_by_name(lang)
    except ClassNotFound:
        return ""
    return highlight(code, lexer, HtmlFormatter(nowrap=True, classstyle=True))


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The one configured Markdown parser (CommonMark + tables + front matter + heading anchors)."""
    md = MarkdownIt("commonmark", {"highlight": _highlight, "html": False})
    md.enable("table")
    md.use(front_matter_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, permalink=False)
    return md


def split_front_matter(source: str) -> tuple[str | None, str]:
    """The YAML front matter (or None) and the Markdown body of a lesson file."""
    tokens = markdown().parse(source)
    if tokens and tokens[0].type == "front_matter":
        end_line = tokens[0].map[1] if tokens[0].map else 0
        body = "\n".join(source.splitlines()[end_line:])
        return tokens[0].content, body
    return None, source


def render_markdown(body: str) -> RenderedLesson:
    """Render a lesson body, shifting heading levels up so the lesson title stays the only h1.

    The body is cut into sections at each heading so the page can place a live widget or a computed
    table right after the section it belongs to (see app/lessons/extras.py).
    """
    md = markdown()
    tokens = md.parse(body)
    toc: list[TocEntry] = []
    starts: list[tuple[int, str | None]] = [(0, None)]
    for i, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            level = max(2, int(token.tag[1]) - HEADING_SHIFT)
            token.tag = f"h{level}"
            if token.type == "heading_open":
                anchor = token.attrGet("id")
                anchor = anchor if isinstance(anchor, str) else None
                if anchor:
                    toc.append(TocEntry(level=level, anchor=anchor, text=tokens[i + 1].content))
                starts.append((i, anchor))
    bounds = [*starts, (len(tokens), None)]
    sections = []
    for (start, anchor), (end, _) in zip(bounds, bounds[1:], strict=False):
        blocks = _blocks(md, tokens, start, end)
        if blocks:
            sections.append(Section(anchor=anchor, blocks=blocks))
    return RenderedLesson(sections=tuple(sections), toc=tuple(toc))


def _blocks(md: MarkdownIt, tokens: list, start: int, end: int) -> tuple[Block, ...]:
    """Tokens[start:end] rendered as blocks: each top-level table on its own, the rest between them."""
    cuts: list[tuple[int, int, int | None]] = []  # (from, to, table number)
    position, tables = start, 0
    for i in range(start, end):
        if tokens[i].type == "table_open" and tokens[i].level == 0:
            cuts.append((position, i, None))
            position = i
        elif tokens[i].type == "table_close" and tokens[i].level == 0:
            cuts.append((position, i + 1, tables))
            position, tables = i + 1, tables + 1
    cuts.append((position, end, None))
    blocks = []
    for first, last, table in cuts:
        html = md.renderer.render(tokens[first:last], md.options, {}) if last > first else ""
        if html:
            blocks.append(Block(html=html, table=table))
    return tuple(blocks)
