"""The Embeddings lesson's worked example, read from the lesson itself, and its real similarities.

The module's block embeds three sentences and states two cosine similarities (0.94 and 0.12) for a
1536-dimension model. The lab reads the sentences and the stated figures from the lesson text, so the
page sets the module's illustrative numbers beside the ones all-MiniLM-L6-v2 computes now.
"""

import re
from dataclasses import dataclass

from app.embeddings.metrics import compare_vectors
from app.embeddings.model import SentenceEncoder
from app.lessons.content import ContentError, Lesson
from app.tokenizer.claims import section_code

EXAMPLE_ANCHOR = "what-embeddings-are"
EMBED_LINE = re.compile(r'embed\("(?P<text>[^"]+)"\)\s*-+>\s*\[(?P<values>[^\]]*)\]\s*\((?P<dims>\d+) dims\)')
CLAIM_LINE = re.compile(r"cosine_similarity\((?P<a>\w+),\s*(?P<b>\w+)\)\s*=\s*(?P<value>-?\d+(?:\.\d+)?)")
# The block names its vectors only in the claims; they are its three sentences, in order.
NAMES = ("password_reset", "forgot_login", "pizza")
SHOWN_COMPONENTS = 3


@dataclass(frozen=True)
class ExampleClaim:
    """One similarity the module states: between two of the example's sentences."""

    a: int  # index into the sentences
    b: int
    stated: float


@dataclass(frozen=True)
class LessonExample:
    """The sentences the module embeds, its stated dimension, and the similarities it states."""

    sentences: tuple[str, ...]
    stated_dims: int
    stated_components: tuple[str, ...]  # the first numbers the module prints for the first sentence
    claims: tuple[ExampleClaim, ...]


def lesson_example(lesson: Lesson) -> LessonExample:
    """Parse the example block under the lesson's first section; ContentError when it cannot be read."""
    code = section_code(lesson, EXAMPLE_ANCHOR)
    embeds = list(EMBED_LINE.finditer(code))
    claims = list(CLAIM_LINE.finditer(code))
    if len(embeds) != len(NAMES) or not claims:
        raise ContentError(
            f"{lesson.source_path}: the '#{EXAMPLE_ANCHOR}' block should embed {len(NAMES)} sentences "
            f"and state their similarities; found {len(embeds)} and {len(claims)}"
        )
    parsed = []
    for claim in claims:
        if claim["a"] not in NAMES or claim["b"] not in NAMES:
            raise ContentError(f"{lesson.source_path}: unknown vector name in {claim[0]!r}")
        parsed.append(ExampleClaim(NAMES.index(claim["a"]), NAMES.index(claim["b"]), float(claim["value"])))
    first_values = [v.strip() for v in embeds[0]["values"].split(",") if v.strip() not in ("", "...")]
    return LessonExample(
        sentences=tuple(match["text"] for match in embeds),
        stated_dims=int(embeds[0]["dims"]),
        stated_components=tuple(first_values[:SHOWN_COMPONENTS]),
        claims=tuple(parsed),
    )


@dataclass(frozen=True)
class ComputedClaim:
    """A stated similarity beside the one computed now."""

    a_name: str
    b_name: str
    a_text: str
    b_text: str
    stated: float | None  # None for a pair the module does not state
    computed: float


@dataclass(frozen=True)
class ComputedExample:
    """The example run through all-MiniLM-L6-v2."""

    example: LessonExample
    dimension: int
    components: list[list[float]]  # the first numbers of each sentence's real vector
    claims: list[ComputedClaim]
    unstated: list[ComputedClaim]  # pairs the module leaves out (forgotten login vs pizza), computed too


def compute_example(example: LessonExample, encoder: SentenceEncoder) -> ComputedExample:
    """Embed the example's sentences and compute each stated similarity (and the pair it skips)."""
    vectors = encoder.encode_cached(list(example.sentences))

    def computed(a: int, b: int, stated: float | None) -> ComputedClaim:
        return ComputedClaim(
            a_name=NAMES[a],
            b_name=NAMES[b],
            a_text=example.sentences[a],
            b_text=example.sentences[b],
            stated=stated,
            computed=compare_vectors(vectors[a], vectors[b]).cosine,
        )

    claims = [computed(c.a, c.b, c.stated) for c in example.claims]
    stated_pairs = {frozenset((c.a, c.b)) for c in example.claims}
    unstated = [
        computed(a, b, stated=None)
        for a in range(len(NAMES))
        for b in range(a + 1, len(NAMES))
        if frozenset((a, b)) not in stated_pairs
    ]
    return ComputedExample(
        example=example,
        dimension=int(vectors.shape[1]),
        components=[[float(x) for x in row[:SHOWN_COMPONENTS]] for row in vectors],
        claims=claims,
        unstated=unstated,
    )
