"""What the course text claims about tokens, read from the lesson files so it always matches them.

The lessons are the module verbatim and are never edited; the lab checks their numbers instead. The
claims are parsed at start-up: if an edit changes the shape of a table, the app stops and says where,
rather than silently checking nothing.
"""

import json
import re
from dataclasses import dataclass

from app.lessons.content import ContentError, Lesson
from app.lessons.render import markdown, split_front_matter

# "Hello, world!"        -->  ["Hello", ",", " world", "!"]                    = 4 tokens
EXAMPLE_LINE = re.compile(
    r'^(?P<text>".*?")\s+(?:\((?P<note>[^)]*)\)\s+)?-->\s+(?P<tokens>\[.*\])'
    r"\s+=\s+(?P<count>\d+)\s+(?P<special>special )?tokens?$"
)
DIAGRAM_INPUT = re.compile(r'^Input: (?P<text>".*")$', re.M)
DIAGRAM_IDS = re.compile(r"token IDs: (?P<ids>\[[\d, ]+\])")


@dataclass(frozen=True)
class TokenClaim:
    """One row of the module's token-example table."""

    text: str
    note: str | None
    tokens: tuple[str, ...]
    count: int
    special: bool
    line: str  # the row as the module writes it


@dataclass(frozen=True)
class ExampleClaims:
    """The token-example table: the vocabulary it names, and its rows."""

    heading: str  # e.g. "Model: GPT-4 (cl100k_base vocabulary, ~100K tokens)"
    rows: tuple[TokenClaim, ...]


@dataclass(frozen=True)
class DiagramClaim:
    """The architecture diagram's tokenizer step: an input sentence and the ids it shows."""

    text: str
    ids: tuple[int, ...]


def section_code(lesson: Lesson, anchor: str) -> str:
    """The first fenced code block in the section whose heading has this anchor."""
    _, body = split_front_matter(lesson.source_path.read_text(encoding="utf-8"))
    inside = False
    for token in markdown().parse(body):
        if token.type == "heading_open":
            if inside:
                break
            inside = token.attrGet("id") == anchor
        elif inside and token.type == "fence":
            return token.content
    raise ContentError(f"{lesson.source_path}: no code block under the heading '#{anchor}'")


def token_example_claims(lesson: Lesson, anchor: str = "token-examples") -> ExampleClaims:
    """Parse the module's token-example table; every non-blank line must be the heading or a row."""
    lines = [line for line in section_code(lesson, anchor).splitlines() if line.strip()]
    rows = []
    for line in lines[1:]:
        match = EXAMPLE_LINE.match(line)
        if match is None:
            raise ContentError(f"{lesson.source_path}: cannot read the token example {line!r}")
        rows.append(
            TokenClaim(
                text=json.loads(match["text"]),
                note=match["note"],
                tokens=tuple(json.loads(match["tokens"])),
                count=int(match["count"]),
                special=match["special"] is not None,
                line=line,
            )
        )
    if not rows:
        raise ContentError(f"{lesson.source_path}: the '#{anchor}' block has no token examples")
    return ExampleClaims(heading=lines[0], rows=tuple(rows))


def diagram_claim(lesson: Lesson, anchor: str = "architecture-overview") -> DiagramClaim:
    """The input sentence and token ids the architecture diagram shows."""
    code = section_code(lesson, anchor)
    text, ids = DIAGRAM_INPUT.search(code), DIAGRAM_IDS.search(code)
    if text is None or ids is None:
        raise ContentError(f"{lesson.source_path}: the '#{anchor}' diagram has no 'Input:' or 'token IDs:'")
    return DiagramClaim(text=json.loads(text["text"]), ids=tuple(json.loads(ids["ids"])))
