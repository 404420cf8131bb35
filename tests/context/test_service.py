"""Token budgets with real tiktoken encodings, the overflow policy, history growth and the n² ratio."""

import pytest

from app.context.service import (
    BudgetError,
    attention_cost_ratio,
    attention_matrix_bytes,
    context_budget,
    count_tokens,
    cut_plan,
    find_model,
    history_growth,
    messages,
    split_messages,
)

PARTS = {
    "system": "You are a concise assistant. Answer in English.",
    "history": "User: What is a token?\nAssistant: A piece of text from the vocabulary.\n\n",
    "documents": "[Document 1] Les modèles de langue découpent le texte en jetons. 日本語のテキスト。",
    "user": "How many tokens is <|endoftext|>?",
}


def tiktoken_count(encodings, name: str, text: str) -> int:
    """tiktoken's own count, special-token text treated as plain text."""
    return len(encodings.get(name).encoding.encode(text, disallowed_special=()))


@pytest.mark.parametrize(
    ("model_id", "encoding", "exact"),
    [
        ("gpt-4o", "o200k_base", True),
        ("gpt-4o-mini", "o200k_base", True),
        ("claude-opus-4", "cl100k_base", False),
    ],
)
def test_each_part_is_counted_with_the_models_encoding(encodings, catalog, model_id, encoding, exact):
    budget = context_budget(
        encodings=encodings, model=find_model(catalog, model_id), parts=PARTS, output_reserve=500
    )
    assert (budget.encoding, budget.exact) == (encoding, exact)
    for part in budget.parts:
        assert part.tokens == tiktoken_count(encodings, encoding, PARTS[part.name])
    assert budget.total == sum(tiktoken_count(encodings, encoding, t) for t in PARTS.values()) + 500
    assert budget.remaining == budget.window - budget.total
    assert budget.overflow == 0 and budget.cuts == () and budget.fits_after_cut


def test_the_two_encodings_really_differ_on_non_english_text(encodings):
    text = PARTS["documents"]
    assert count_tokens(encodings.get("o200k_base"), text) != count_tokens(encodings.get("cl100k_base"), text)


def test_empty_parts_count_zero(encodings, catalog):
    budget = context_budget(
        encodings=encodings, model=find_model(catalog, "gpt-4o"), parts={}, output_reserve=0
    )
    assert [p.tokens for p in budget.parts] == [0, 0, 0, 0] and budget.remaining == budget.window


@pytest.mark.parametrize(
    ("history", "documents", "overflow", "expected", "short"),
    [
        (2000, 8000, 0, [], 0),
        (2000, 8000, -50, [], 0),
        (2000, 8000, 500, [("history", 500, "start", False)], 0),
        (2000, 8000, 2000, [("history", 2000, "start", True)], 0),
        (2000, 8000, 2500, [("history", 2000, "start", True), ("documents", 500, "end", False)], 0),
        (0, 8000, 100, [("documents", 100, "end", False)], 0),
        (2000, 8000, 13000, [("history", 2000, "start", True), ("documents", 8000, "end", True)], 3000),
    ],
)
def test_overflow_policy_cuts_oldest_history_then_last_documents(
    history, documents, overflow, expected, short
):
    cuts, left = cut_plan({"system": 500, "history": history, "documents": documents, "user": 200}, overflow)
    assert [(c.part, c.tokens, c.side, c.whole) for c in cuts] == expected
    assert left == short


def test_budget_over_the_window_names_the_cut_and_never_cuts_system_or_user(encodings, catalog):
    model = find_model(catalog, "gpt-4o")
    fit = context_budget(encodings=encodings, model=model, parts=PARTS, output_reserve=0)
    reserve = model.context_tokens - fit.total + 5  # five tokens over
    over = context_budget(encodings=encodings, model=model, parts=PARTS, output_reserve=reserve)
    assert over.overflow == 5 and over.remaining == 0
    assert [(c.part, c.tokens) for c in over.cuts] == [("history", 5)]
    assert over.part("history").kept == over.part("history").tokens - 5
    assert over.part("system").cut == 0 and over.part("user").cut == 0 and over.fits_after_cut


def test_budget_that_cannot_fit_even_after_every_cut(encodings, catalog):
    model = find_model(catalog, "gpt-4o")
    budget = context_budget(
        encodings=encodings, model=model, parts=PARTS, output_reserve=model.context_tokens
    )
    protected = budget.part("system").tokens + budget.part("user").tokens
    assert not budget.fits_after_cut and budget.short == protected
    assert {c.part for c in budget.cuts} == {"history", "documents"} and all(c.whole for c in budget.cuts)


@pytest.mark.parametrize(
    ("reserve", "message"), [(-1, "0 or more"), (128_001, "larger than GPT-4o's whole context window")]
)
def test_impossible_reserve_is_refused(encodings, catalog, reserve, message):
    with pytest.raises(BudgetError, match=message):
        context_budget(
            encodings=encodings, model=find_model(catalog, "gpt-4o"), parts={}, output_reserve=reserve
        )


def test_unknown_model_names_the_known_ones(catalog):
    with pytest.raises(BudgetError, match=r"unknown model 'gpt-9'.*gpt-4o"):
        find_model(catalog, "gpt-9")


def test_split_messages_keeps_every_character_and_reads_roles():
    history = "Intro line\nUser: hi\nthere\nASSISTANT : hello\n\nuser:again\nNot User: a label mid-line\n"
    pieces = split_messages(history)
    assert "".join(text for _, text in pieces) == history
    assert [role for role, _ in pieces] == ["text", "user", "assistant", "user"]
    assert pieces[3][1] == "user:again\nNot User: a label mid-line\n"


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_message_counts_add_up_to_the_history_count(encodings, name):
    from app.config import ROOT
    from app.context.example import load_context_example  # the real sample conversation
    from app.lessons.content import load_course

    history = load_context_example(load_course(ROOT / "content"), ROOT / "content").history
    encoding = encodings.get(name)
    parts = messages(encoding, history)
    assert len(parts) >= 10
    assert sum(m.tokens for m in parts) == count_tokens(encoding, history)


def test_history_growth_resends_everything_each_turn(encodings):
    enc = encodings.get("o200k_base")
    system, history, user = (
        "Be brief.",
        "User: one\nAssistant: two two\nUser: three\nAssistant: four\n",
        "five",
    )
    s, u1, a1, u2, a2, u3 = (
        count_tokens(enc, t)
        for t in (system, "User: one\n", "Assistant: two two\n", "User: three\n", "Assistant: four\n", user)
    )
    turns = history_growth(encoding=enc, system=system, history=history, user=user)
    assert [(t.user_tokens, t.sent, t.reply_tokens) for t in turns] == [
        (u1, s + u1, a1),
        (u2, s + u1 + a1 + u2, a2),
        (u3, s + u1 + a1 + u2 + a2 + u3, None),
    ]
    assert [t.cumulative for t in turns] == [
        turns[0].sent,
        turns[0].sent + turns[1].sent,
        sum(t.sent for t in turns),
    ]


@pytest.mark.parametrize(
    ("short", "long", "ratio"),
    [
        (4_000, 32_000, 64),
        (4_000, 128_000, 1024),
        (4_096, 131_072, 1024),
        (1_000, 2_000, 4),
        (2_000, 1_000, 0.25),
    ],
)
def test_attention_cost_grows_with_the_square_of_the_length(short, long, ratio):
    assert attention_cost_ratio(short, long) == pytest.approx(ratio)


def test_attention_ratio_refuses_zero_and_matrix_bytes_are_n_squared_times_two():
    with pytest.raises(ValueError):
        attention_cost_ratio(0, 10)
    assert attention_matrix_bytes(128_000) == 128_000 * 128_000 * 2
