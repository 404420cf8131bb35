"""Answers, not word lists: sentences and clauses, and the "has a verb" heuristic that tells them apart."""

import pytest

from app.quiz.sentences import (
    british_to_american,
    is_sentence,
    marked_segments,
    split_clauses,
    split_sentences,
    stem,
    words,
)


@pytest.mark.parametrize(
    "text",
    [
        "RNNs are sequential",
        "Temperature divides the logits before the softmax",
        "Transformers process all tokens in parallel via self-attention",
        "it divides logits",
        "Use a small model for classification",
        "Ask it to spell the word letter by letter",
        "Pre-training on next-token prediction gives a base model",
        "That enables semantic search and clustering",
        "Sycophancy comes from RLHF",
        "I'd cache the stable prefix",
        "The model doesn't see letters",
        "Attention runs a convolution over neighbouring tokens",
        "Cost, latency, and recall all suffer when you stuff the context",
        "It is quadratic, memory grows, compute grows, FlashAttention helps",
    ],
)
def test_statements_are_sentences(text):
    assert is_sentence(text)


@pytest.mark.parametrize(
    "text",
    [
        "query key value dot product sqrt scale softmax weights weighted sum mask causal future",
        "logits softmax divide temperature low deterministic greedy high random flatten ranking unchanged",
        "tokens not characters, token IDs, embeddings, counting approximate, spell out, code tool",
        "attention between tokens, feed-forward per token, residual connections, layer norm, stack N blocks",
        "cost latency quadratic lost in the middle RAG chunking retrieval caching compression sliding window",
        "context window, history, stateless, summarize, RAG",
        # one item with a verb among five or more is still a list
        "tokens vs characters, subword chunks, opaque ID, spelling, counting, spell it out, code tool",
        "Cosine similarity",
        "the model's weights",
        "Tokens of text",
    ],
)
def test_word_lists_and_fragments_are_not(text):
    assert not is_sentence(text)


def test_sentences_split_at_stops_and_line_breaks_but_not_after_eg():
    assert split_sentences("It is, e.g. a test. So? Yes; then this.\nNew line") == [
        "It is, e.g. a test.",
        "So?",
        "Yes;",
        "then this.",
        "New line",
    ]


@pytest.mark.parametrize(
    ("sentence", "clauses"),
    [
        ("A is x, and B is y: C is z because D", ["A is x", "and B is y", "C is z", "because D"]),
        ("Low T is greedy and high T is random", ["Low T is greedy", "and high T is random"]),
        ("the query and the key are projections", ["the query and the key are projections"]),
        ("RNNs wait, while transformers do not", ["RNNs wait", "while transformers do not"]),
    ],
)
def test_clauses(sentence, clauses):
    assert split_clauses(sentence) == clauses


def test_words_split_contractions_and_drop_possessives():
    assert words("It's the model's weights; it doesn't") == [
        "it",
        "'s",
        "the",
        "model",
        "weights",
        "it",
        "doesn't",
    ]


@pytest.mark.parametrize(
    ("word", "expected"),
    [("replaced", "replac"), ("replace", "replac"), ("tokens", "token"), ("pass", "pass")],
)
def test_stem(word, expected):
    assert stem(word) == expected


def test_marked_segments_mark_each_sentence_where_it_occurs():
    assert marked_segments("A is. B is.", ["B is."]) == [("A is. ", False), ("B is.", True)]
    assert marked_segments("A is. B is.", ["A is.", "A is.", "B is.", "not there"]) == [
        ("A is.", True),
        (" ", False),
        ("B is.", True),
    ]
    assert marked_segments("plain", []) == [("plain", False)]


def test_bare_contractions_and_british_spellings_read_as_statements():
    assert is_sentence("basically its the max number of tokens per request")
    assert is_sentence("and thats prompt plus history together")
    assert is_sentence("summarise the old turns")
    assert words("thats it") == ["that", "'s", "it"]
    assert british_to_american("we summarised and normalise it; raise, revise and supervise stay") == (
        "we summarized and normalize it; raise, revise and supervise stay"
    )
