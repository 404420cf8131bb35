"""Lessons compute their own token examples: the course text beside what the real encodings say."""

import re

import pytest

from app.config import ROOT
from app.lessons.content import load_course
from app.tokenizer.claims import diagram_claim, token_example_claims
from tests.conftest import page


def token_text(li) -> str:
    """A token's text from its label (BeautifulSoup collapses a whitespace-only element's text)."""
    return bytes.fromhex(re.search(r"bytes ([0-9a-f ]+) ·", li["aria-label"])[1].replace(" ", "")).decode()


MODULE = ROOT.parent / "shared" / "module" / "llm-fundamentals.md"

# The module's "Token Examples" rows (text, claimed count) -> does it hold, and what cl100k_base really gives.
EXPECTED = [
    ("Hello, world!", 4, True, ["Hello", ",", " world", "!"]),
    ("implementation", 2, False, ["implementation"]),
    ("XMLHttpRequest", 3, False, ["XML", "HttpRequest"]),
    (" ", 1, True, [" "]),
    ("    ", 1, True, ["    "]),
    ("こんにちは", 3, False, ["こんにちは"]),
    ("123456", 2, True, ["123", "456"]),
    ("<|endoftext|>", 1, True, ["<|endoftext|>"]),
]


def test_claims_are_read_from_the_lesson_text():
    course = load_course(ROOT / "content")
    claims = token_example_claims(course.lesson("tokenization"))
    assert claims.heading == "Model: GPT-4 (cl100k_base vocabulary, ~100K tokens)"
    assert [(row.text, row.count) for row in claims.rows] == [(text, count) for text, count, _, _ in EXPECTED]
    assert claims.rows[2].tokens == ("XML", "Http", "Request")
    assert claims.rows[4].note == "4 spaces" and claims.rows[-1].special
    assert diagram_claim(course.lesson("transformer-architecture")).ids == (464, 3797, 3332, 319, 262, 2603)


@pytest.mark.skipif(not MODULE.exists(), reason="the course module lives in ../shared beside the checkout")
def test_claims_are_the_module_text_line_for_line():
    module = MODULE.read_text(encoding="utf-8")
    claims = token_example_claims(load_course(ROOT / "content").lesson("tokenization"))
    for row in claims.rows:
        assert f"\n{row.line}\n" in module


def test_tokenization_lesson_shows_the_computed_table(client):
    doc = page(client.get("/lessons/tokenization"))
    table = doc.select_one("#token-examples ~ .lesson-extra .tok-check-table")
    assert table is not None, "the computed table follows the Token Examples section"
    rows = table.select("tbody tr")
    assert len(rows) == len(EXPECTED)
    for row, (text, claimed, correct, actual) in zip(rows, EXPECTED, strict=True):
        assert row["data-text"] == text
        assert row.select_one("[data-claimed]")["data-claimed"] == str(claimed)
        cell = row.select_one('td[data-encoding="cl100k_base"]')
        assert [token_text(li) for li in cell.select("li.tok")] == actual
        assert cell.select_one("[data-count]").get_text() == str(len(actual))
        assert ("is-correct" if correct else "is-wrong") in row["class"]
        assert (row.select_one(".tok-correction") is None) is correct
    summary = doc.select_one(".tok-check [data-summary]").get_text()
    assert summary == "3 of 8 rows differ from the real cl100k_base."


def test_corrections_name_the_real_split(client):
    doc = page(client.get("/lessons/tokenization"))
    correction = doc.select_one('tr[data-text="implementation"] .tok-correction').get_text()
    expected = (
        'cl100k_base splits "implementation" into 1 token ["implementation"], not 2 ["implement", "ation"].'
    )
    assert correction == expected
    o200k = doc.select_one('tr[data-text="XMLHttpRequest"] td[data-encoding="o200k_base"] [data-count]')
    assert o200k.get_text() == "3"


def test_tokenization_lesson_embeds_the_playground_and_demos(client):
    doc = page(client.get("/lessons/tokenization"))
    widget = doc.select_one(".lesson-extra .tok-widget form.tok-form")
    assert widget["hx-post"] == "/playground/tokenizer"
    assert doc.select_one(".lesson-extra #tok-result ol.tok-view li.tok") is not None
    demos = doc.select_one("#why-tokenization-matters-in-practice ~ .lesson-extra .tok-demos")
    assert demos is not None and len(demos.select("article.tok-demo")) == 4


def test_architecture_lesson_shows_the_real_ids(client):
    doc = page(client.get("/lessons/transformer-architecture"))
    section = doc.select_one("#architecture-overview ~ .lesson-extra .tok-check")
    ids = {
        tr.get("data-encoding") or tr.get("data-source"): tr.select_one("[data-ids]").get_text()
        for tr in section.select("tbody tr")
    }
    assert ids == {
        "diagram": "[464, 3797, 3332, 319, 262, 2603]",
        "cl100k_base": "[791, 8415, 7731, 389, 279, 5634]",
        "o200k_base": "[976, 9059, 10139, 402, 290, 2450]",
    }
    note = section.select_one('[data-note="diagram-ids"]').get_text(" ", strip=True)
    assert "do not match cl100k_base or o200k_base" in note


def test_a_lesson_edit_that_breaks_the_table_stops_startup(settings, tmp_path):
    import shutil

    from app.lessons.content import ContentError
    from app.main import create_app

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    lesson = content / "lessons" / "02-tokenization.md"
    lesson.write_text(lesson.read_text().replace("= 4 tokens", "= four tokens"), encoding="utf-8")
    with pytest.raises(ContentError, match="cannot read the token example"):
        create_app(settings.model_copy(update={"content_dir": content}))


@pytest.mark.parametrize(
    ("tokens", "count", "holds"),
    [
        (("Hello", ",", " world", "!"), 4, True),
        (("Hello", ",", " world", "!"), 3, False),  # the right tokens, the wrong count
        (("Hello", ", world", "!"), 3, False),
    ],
)
def test_a_claim_holds_only_with_the_real_tokens_and_their_count(app, tokens, count, holds):
    from app.tokenizer.checks import check_examples
    from app.tokenizer.claims import ExampleClaims, TokenClaim

    claim = TokenClaim(text="Hello, world!", note=None, tokens=tokens, count=count, special=False, line="")
    (check,) = check_examples(registry=app.state.encodings, claims=ExampleClaims(heading="", rows=(claim,)))
    assert check.matches is holds
    assert (check.correction is None) is holds
