"""The Context Windows lesson's example: the module's stated figures, read from the lessons, and sample texts.

The figures are parsed from the module's own text (lesson 04's diagram, lesson 03's "Practical impact"), so
the page can show them labelled as the module's beside what the lab computes; a content edit that removes
them stops the start-up with the file named. The sample texts (system prompt, history, user message) live in
content/context-example.yaml; the retrieved documents are the course's nine lessons.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from app.lessons.content import ContentError, Course
from app.lessons.render import split_front_matter
from app.yamlfile import load_yaml

EXAMPLE_FILE = "context-example.yaml"
CONTEXT_LESSON = "context-windows"
ATTENTION_LESSON = "attention-mechanism"

# The diagram's labels, mapped to the budget's parts ("Model Response" is the output reserve).
DIAGRAM_PARTS = {
    "System Prompt": "system",
    "Conversation History": "history",
    "Retrieved Documents": "documents",
    "User Message": "user",
    "Model Response": "reserve",
}
_NUMBER = r"([\d,]+)"
_DIAGRAM_ROW = re.compile(r"\[(?P<label>[A-Za-z ]+)\]\s+~" + _NUMBER + r" tokens")
_WINDOW = re.compile(r"Context Window \((?P<k>\d+)K tokens\)")
_USED = re.compile(r"Used: ~" + _NUMBER + r" tokens")
_AVAILABLE = re.compile(r"Available: ~" + _NUMBER + r" tokens")
# "- 32K context: 64x more attention computation than 4K"
_RATIO = re.compile(
    r"(?P<long>\d+)K context: (?P<factor>[\d,]+)x more attention computation than (?P<short>\d+)K"
)


@dataclass(frozen=True)
class ModuleFigures:
    """What the module's diagram states: each part's tokens, the window, used and available."""

    parts: dict[str, int]  # system, history, documents, user, reserve
    window_k: int  # "128K"
    used: int
    available: int

    @property
    def window(self) -> int:
        """The window in tokens, "128K" read as 128,000 as the module's own arithmetic does (115,300 left)."""
        return self.window_k * 1_000


@dataclass(frozen=True)
class RatioClaim:
    """One line of the module's "Practical impact": a length, a baseline, and the stated factor."""

    long_k: int
    short_k: int
    stated: int


@dataclass(frozen=True)
class ContextExample:
    """Everything the context page is pre-filled with and compares against."""

    figures: ModuleFigures
    ratio_claims: tuple[RatioClaim, ...]
    system: str
    history: str
    documents: str
    user: str
    document_titles: tuple[str, ...]


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _lesson_body(course: Course, slug: str) -> tuple[Path, str]:
    lesson = course.lesson(slug)
    if lesson is None:
        raise ContentError(f"the course has no lesson '{slug}' (the context widgets read its figures)")
    _, body = split_front_matter(lesson.source_path.read_text(encoding="utf-8"))
    return lesson.source_path, body


def parse_module_figures(body: str, *, source: Path | str = "lesson") -> ModuleFigures:
    """The diagram's figures from the Context Windows lesson body; ContentError naming what is missing."""
    parts = {}
    for match in _DIAGRAM_ROW.finditer(body):
        if match["label"] in DIAGRAM_PARTS:
            parts[DIAGRAM_PARTS[match["label"]]] = _int(match[2])
    window, used, available = _WINDOW.search(body), _USED.search(body), _AVAILABLE.search(body)
    missing = [label for label, part in DIAGRAM_PARTS.items() if part not in parts]
    missing += [
        name for name, found in (("window", window), ("Used", used), ("Available", available)) if not found
    ]
    if missing or window is None or used is None or available is None:
        raise ContentError(f"{source}: the context-window diagram lacks {', '.join(missing)}")
    return ModuleFigures(
        parts=parts, window_k=int(window["k"]), used=_int(used[1]), available=_int(available[1])
    )


def parse_ratio_claims(body: str, *, source: Path | str = "lesson") -> tuple[RatioClaim, ...]:
    """The "NK context: Fx more attention computation than MK" lines of the Attention lesson."""
    claims = tuple(
        RatioClaim(long_k=int(m["long"]), short_k=int(m["short"]), stated=_int(m["factor"]))
        for m in _RATIO.finditer(body)
    )
    if not claims:
        raise ContentError(f"{source}: no 'NK context: Fx more attention computation than MK' line")
    return claims


def course_documents(course: Course) -> tuple[str, tuple[str, ...]]:
    """Every lesson's Markdown, each headed "[Document N: title]", as a retriever would hand over chunks."""
    chunks, titles = [], []
    for number, lesson in enumerate(course.lessons, start=1):
        _, body = split_front_matter(lesson.source_path.read_text(encoding="utf-8"))
        chunks.append(f"[Document {number}: {lesson.meta.title}]\n{body.strip()}\n")
        titles.append(lesson.meta.title)
    return "\n".join(chunks), tuple(titles)


def load_context_example(course: Course, content_dir: Path) -> ContextExample:
    """The module's figures and the example's texts; ContentError when either is missing or malformed."""
    context_path, context_body = _lesson_body(course, CONTEXT_LESSON)
    attention_path, attention_body = _lesson_body(course, ATTENTION_LESSON)
    path = content_dir / EXAMPLE_FILE
    try:
        texts = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot be read ({exc})") from exc
    if not isinstance(texts, dict) or not all(
        isinstance(texts.get(k), str) for k in ("system", "history", "user")
    ):
        raise ContentError(f"{path}: needs the texts 'system', 'history' and 'user'")
    documents, titles = course_documents(course)
    return ContextExample(
        figures=parse_module_figures(context_body, source=context_path),
        ratio_claims=parse_ratio_claims(attention_body, source=attention_path),
        system=texts["system"],
        history=texts["history"],
        documents=documents,
        user=texts["user"],
        document_titles=titles,
    )
