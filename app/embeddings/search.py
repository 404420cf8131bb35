"""Semantic search over every lesson paragraph: the retrieval half of RAG, on all-MiniLM-L6-v2.

Each paragraph (list items included) of each lesson is a passage, embedded once with its lesson title and
section heading in front, so "what does top-p do?" lands in the right section even when the paragraph
never names it. The index is built once per process in the background and kept on disk under the var
folder, keyed by a hash of the passages and the model, so a restart with unchanged content loads it in
milliseconds. A search embeds only the query: one dot product with every passage ranks them.
"""

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.embeddings.handle import BackgroundLoad
from app.embeddings.limits import MAX_K
from app.embeddings.model import EMBEDDING_DIM, MODEL_NAME, SentenceEncoder
from app.lessons.content import Course, Lesson
from app.lessons.render import markdown, split_front_matter

log = logging.getLogger(__name__)

INDEX_VERSION = "passages-v1"  # part of the cache key: change it when passage extraction changes
BATCH = 8  # passages per encode() call while building the index
_memo: dict[str, np.ndarray] = {}  # vectors per content hash: every app in a process shares one index
_memo_lock = threading.Lock()


@dataclass(frozen=True)
class Passage:
    """One paragraph of a lesson and the section it sits in."""

    lesson: str  # slug
    lesson_title: str
    anchor: str | None  # the section heading's id; None before the first heading
    heading: str
    text: str

    @property
    def url(self) -> str:
        """Link to the paragraph's section in its lesson."""
        return f"/lessons/{self.lesson}" + (f"#{self.anchor}" if self.anchor else "")

    @property
    def embedded_text(self) -> str:
        """What the model embeds: where the passage sits, then the passage."""
        return f"{self.lesson_title}. {self.heading}. {self.text}"


def _inline_text(token) -> str:  # noqa: ANN001 - a markdown-it inline token
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def lesson_passages(lesson: Lesson) -> list[Passage]:
    """Every non-empty paragraph of a lesson (list items included), with its section heading."""
    _, body = split_front_matter(lesson.source_path.read_text(encoding="utf-8"))
    tokens = markdown().parse(body)
    anchor, heading = None, lesson.meta.title
    passages = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            found = token.attrGet("id")
            anchor = found if isinstance(found, str) else None
            heading = tokens[i + 1].content
        elif token.type == "inline" and i > 0 and tokens[i - 1].type == "paragraph_open":
            text = _inline_text(token)
            if text:
                passages.append(Passage(lesson.slug, lesson.meta.title, anchor, heading, text))
    return passages


def course_passages(course: Course) -> list[Passage]:
    """The passages of every lesson, in course order."""
    return [passage for lesson in course.lessons for passage in lesson_passages(lesson)]


def content_hash(passages: list[Passage], model_name: str) -> str:
    """A key that changes when any passage, its place, the model or the extraction changes."""
    digest = hashlib.sha256(f"{INDEX_VERSION}\n{model_name}\n".encode())
    for p in passages:
        digest.update(f"{p.lesson}\x1f{p.anchor}\x1f{p.embedded_text}\x1e".encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class SearchHit:
    """A passage and its cosine similarity to the query."""

    passage: Passage
    score: float
    rank: int


@dataclass(frozen=True)
class SearchIndex:
    """Every passage and its unit vector (row i of `vectors` is passage i)."""

    passages: list[Passage]
    vectors: np.ndarray  # (n, 384) float32, unit length
    key: str

    def search(self, encoder: SentenceEncoder, query: str, k: int = 5) -> list[SearchHit]:
        """The k passages closest to the query, best first (cosine = dot product of unit vectors)."""
        if not 1 <= k <= MAX_K:
            raise ValueError(f"k must be between 1 and {MAX_K}, got {k}")
        [vector] = encoder.encode_recent([query])
        scores = self.vectors @ vector
        k = min(k, len(self.passages))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [SearchHit(self.passages[i], float(scores[i]), rank) for rank, i in enumerate(top, start=1)]


def build_index(
    *, encoder: SentenceEncoder, passages: list[Passage], cache_dir: Path | None, model_name: str
) -> SearchIndex:
    """Embed the passages (or load their vectors from the process memo or the on-disk cache)."""
    key = content_hash(passages, model_name)
    with _memo_lock:
        vectors = _memo.get(key)
        if vectors is None:
            vectors = _load_cached(cache_dir, key, len(passages))
        if vectors is None:
            texts = [p.embedded_text for p in passages]
            # In small batches: each encode() holds the encoder's lock, and grading or a widget that
            # needs MiniLM meanwhile should wait for one batch, not for the whole index.
            batches = [encoder.encode(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
            vectors = np.concatenate(batches).astype(np.float32)
            _save_cached(cache_dir, key, vectors)
            log.info("embedded %d lesson passages for search", len(passages))
        _memo[key] = vectors
    return SearchIndex(passages=passages, vectors=vectors, key=key)


def _cache_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"search-index-{key}.npy"


def _load_cached(cache_dir: Path | None, key: str, count: int) -> np.ndarray | None:
    if cache_dir is None:
        return None
    path = _cache_file(cache_dir, key)
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None  # absent or unreadable: built again
    if vectors.shape != (count, EMBEDDING_DIM) or vectors.dtype != np.float32:
        return None
    return vectors


def _save_cached(cache_dir: Path | None, key: str, vectors: np.ndarray) -> None:
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = _cache_file(cache_dir, key).with_suffix(f".{os.getpid()}.tmp")  # one per writing worker
        with partial.open("wb") as out:
            np.save(out, vectors, allow_pickle=False)
        partial.replace(_cache_file(cache_dir, key))  # atomic: a reader never sees half a file
    except OSError as exc:
        log.warning("could not cache the search index in %s: %s", cache_dir, exc)


def search_index_handle(
    encoder: BackgroundLoad[SentenceEncoder], course: Course, cache_dir: Path | None
) -> BackgroundLoad[SearchIndex]:
    """The index's handle: once started, it waits for the encoder, then embeds (or loads) the passages."""

    def load() -> SearchIndex:
        passages = course_passages(course)
        return build_index(
            encoder=encoder.wait(), passages=passages, cache_dir=cache_dir, model_name=MODEL_NAME
        )

    return BackgroundLoad(load, what="The lesson search index")
