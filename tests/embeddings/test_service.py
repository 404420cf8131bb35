"""The embeddings services on the real all-MiniLM-L6-v2 and the real lessons."""

from pathlib import Path

import numpy as np
import pytest

from app.config import ROOT
from app.embeddings.example import compute_example, lesson_example
from app.embeddings.limits import EmbeddingInputError, check_texts, split_lines
from app.embeddings.search import build_index, course_passages, lesson_passages
from app.embeddings.service import compare_texts, encoder_attention, search_lessons, similarity_view
from app.embeddings.wordpiece import wordpieces
from app.lessons.content import load_course

# The example's cosines as all-MiniLM-L6-v2 computes them (measured: 0.6776 and 0.0321); the module's
# 0.94 and 0.12 are illustrative. The tolerance allows another CPU's float rounding, not another model.
GOLDEN = {("password_reset", "forgot_login"): 0.678, ("password_reset", "pizza"): 0.032}
TOLERANCE = 0.01


@pytest.fixture(scope="module")
def course():
    """The real course content."""
    return load_course(ROOT / "content")


@pytest.fixture(scope="module")
def index(course, sentence_encoder):
    """The search index over every lesson paragraph (no disk cache)."""
    return build_index(
        encoder=sentence_encoder, passages=course_passages(course), cache_dir=None, model_name="test"
    )


def test_the_lesson_example_is_read_from_the_lesson(course):
    example = lesson_example(course.lesson("embeddings"))
    assert example.sentences == (
        "How do I reset my password?",
        "I forgot my login credentials",
        "Best pizza in New York",
    )
    assert example.stated_dims == 1536
    assert [(c.a, c.b, c.stated) for c in example.claims] == [(0, 1, 0.94), (0, 2, 0.12)]


def test_the_example_computed_gives_the_golden_cosines(course, sentence_encoder):
    computed = compute_example(lesson_example(course.lesson("embeddings")), sentence_encoder)
    got = {(c.a_name, c.b_name): c.computed for c in computed.claims}
    assert got == pytest.approx(GOLDEN, abs=TOLERANCE)
    assert [c.stated for c in computed.claims] == [0.94, 0.12]
    assert [(c.a_name, c.b_name, c.stated) for c in computed.unstated] == [("forgot_login", "pizza", None)]
    assert computed.dimension == 384


def test_compare_texts_cosine_equals_dot_for_unit_vectors(sentence_encoder):
    result = compare_texts(
        encoder=sentence_encoder, a="The cat sat on the mat.", b="A kitten rested on a rug."
    )
    assert result.norm_a == pytest.approx(1.0, abs=1e-5) and result.norm_b == pytest.approx(1.0, abs=1e-5)
    assert result.cosine == pytest.approx(result.dot, abs=1e-5)
    assert result.euclidean == pytest.approx(result.identity_distance, abs=1e-4)
    assert 0.3 < result.cosine < 1.0
    assert result.dimension == 384 and len(result.products) == 3


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["one"], "At least 2"),
        ([f"t{i}" for i in range(11)], "At most 10"),
        (["fine", "   "], "Text 2 is empty"),
        (["fine", "x" * 1001], "Text 2 has 1,001 characters; the limit is 1,000"),
    ],
)
def test_check_texts_refuses_with_a_message(texts, message):
    with pytest.raises(EmbeddingInputError, match=message):
        check_texts(texts)


def test_split_lines_keeps_one_text_per_non_blank_line():
    assert split_lines(" a \n\n b\r\n  \nc") == ["a", "b", "c"]


def test_similarity_view_groups_paraphrases(sentence_encoder):
    texts = [
        "How do I reset my password?",
        "I forgot my login credentials",
        "Best pizza in New York",
        "Where can I get a good slice in Brooklyn?",
    ]
    view = similarity_view(encoder=sentence_encoder, texts=texts)
    cosine = view.matrices.cosine
    assert cosine.shape == (4, 4) and np.allclose(cosine, cosine.T)
    assert cosine[0, 1] > cosine[0, 2] and cosine[2, 3] > cosine[1, 3]
    coords = view.projection.coords
    # In the PCA picture each text lies nearer its paraphrase than the other topic's texts.
    assert np.linalg.norm(coords[0] - coords[1]) < np.linalg.norm(coords[0] - coords[2])
    assert np.linalg.norm(coords[2] - coords[3]) < np.linalg.norm(coords[1] - coords[3])
    assert view.heatmap_svg.count('class="matrix-cell"') == 16
    assert view.scatter_svg.count('class="scatter-point"') == 4


def test_every_lesson_has_passages_under_real_headings(course):
    for lesson in course.lessons:
        passages = lesson_passages(lesson)
        anchors = {entry.anchor for entry in lesson.rendered.toc}
        assert passages, lesson.slug
        assert all(p.anchor is None or p.anchor in anchors for p in passages)
        assert all(p.text and "**" not in p.text for p in passages)  # plain text, no Markdown marks


@pytest.mark.parametrize(
    ("query", "lesson", "anchor"),
    [
        ("What does temperature do to the next-token distribution?", "key-parameters", "temperature"),
        ("How does BPE split words into subword tokens?", "tokenization", "tokenization-algorithms"),
        (
            "The model misses facts in the middle of a long prompt",
            "context-windows",
            "the-lost-in-the-middle-problem",
        ),
        ("How do I measure how similar two texts are?", "embeddings", "similarity-metrics"),
        ("RLHF and DPO alignment after fine-tuning", "training-pipeline", None),
    ],
)
def test_search_finds_the_right_lesson_for_a_clear_question(index, sentence_encoder, query, lesson, anchor):
    hits = search_lessons(index=index, encoder=sentence_encoder, query=query, k=3)
    assert [hit.rank for hit in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score
    assert hits[0].passage.lesson == lesson
    if anchor:
        assert hits[0].passage.anchor == anchor
        assert hits[0].passage.url == f"/lessons/{lesson}#{anchor}"


def test_the_index_is_cached_on_disk_by_content_hash(course, sentence_encoder, tmp_path: Path, monkeypatch):
    passages = course_passages(course)[:5]
    first = build_index(
        encoder=sentence_encoder, passages=passages, cache_dir=tmp_path, model_name="disk-test"
    )
    assert [p.name for p in tmp_path.iterdir()] == [f"search-index-{first.key}.npy"]
    monkeypatch.setattr("app.embeddings.search._memo", {})  # as a new process would start

    class NoEncoder:
        def encode(self, texts):  # noqa: ANN001, ANN201
            raise AssertionError("the cached index was embedded again")

    second = build_index(encoder=NoEncoder(), passages=passages, cache_dir=tmp_path, model_name="disk-test")
    assert np.array_equal(first.vectors, second.vectors)
    changed = build_index(
        encoder=sentence_encoder, passages=passages[:4], cache_dir=tmp_path, model_name="disk-test"
    )
    assert changed.key != first.key  # other content, another key: never a stale index


def test_minilm_attention_is_bidirectional_over_wordpieces(sentence_encoder):
    side = encoder_attention(
        encoder=sentence_encoder, text="The cat sat, unbelievably tired.", layer=2, head=5
    )
    maps = side.maps
    assert (maps.layers, maps.heads) == (6, 12)
    assert maps.tokens[0] == "[CLS]" and maps.tokens[-1] == "[SEP]" and "##bel" in maps.tokens
    n = len(maps.tokens)
    assert len(side.cells) == n * n and not side.masked_path  # every cell: nothing is masked
    weights = maps.weights
    assert np.allclose(weights.sum(dim=-1).numpy(), 1.0, atol=1e-4)
    upper = np.triu(weights.numpy(), k=1)
    # Nearly every head gives real weight to later tokens, which a causal mask would forbid (a few heads
    # of layer 1 look at the previous token only).
    assert (upper.sum(axis=(-1, -2)) > 0.1).mean() > 0.9


def test_minilm_attention_cuts_long_text_at_the_end(sentence_encoder):
    side = encoder_attention(encoder=sentence_encoder, text="word " * 100, layer=0, head=None)
    assert len(side.maps.tokens) == 48 and side.maps.truncated == 102 - 48
    assert side.maps.tokens[-1] == "[SEP]"


def test_minilm_attention_leaves_the_encoder_as_it_was(sentence_encoder):
    before = sentence_encoder.encode(["same text"])
    encoder_attention(encoder=sentence_encoder, text="same text", layer=0, head=0)
    assert sentence_encoder._bert.config._attn_implementation == "sdpa"
    assert np.allclose(sentence_encoder.encode(["same text"]), before, atol=1e-6)


def test_wordpieces_mark_continuations_and_frame_the_text():
    pieces = wordpieces("Unbelievably, a café!")
    texts = [piece.text for piece in pieces.pieces]
    assert texts == ["[CLS]", "un", "##bel", "##ie", "##va", "##bly", ",", "a", "cafe", "!", "[SEP]"]
    assert [piece.special for piece in pieces.pieces] == [True] + [False] * 9 + [True]
    assert pieces.continuations == 4 and pieces.model_reads == 256 and pieces.vocab_size == 30522


def test_concurrent_requests_share_one_encoder_safely(sentence_encoder):
    from concurrent.futures import ThreadPoolExecutor

    def work(i: int) -> float:
        if i % 3 == 0:
            encoder_attention(encoder=sentence_encoder, text=f"sentence number {i}", layer=0, head=None)
        vectors = sentence_encoder.encode_recent([f"text {i}", "a shared text"])
        return float(vectors[0] @ vectors[1])

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(24)))
    assert len(results) == 24 and all(-1.0 <= r <= 1.0 for r in results)
    assert sentence_encoder._bert.config._attn_implementation == "sdpa"
