"""The context page, its htmx partials and the lesson widgets, on the real encodings."""

import pytest

from tests.conftest import csrf_token, page

HX = {"HX-Request": "true"}


def post_budget(client, **fields):
    """POST the budget form as htmx does (CSRF header included)."""
    data = {"model": "gpt-4o", "system": "", "history": "", "documents": "", "user": "", "output_reserve": 0}
    headers = HX | {"X-CSRF-Token": csrf_token(client, "/playground/context")}
    return client.post("/playground/context", data=data | fields, headers=headers)


def bar_tokens(doc) -> dict[str, int]:
    """data-tokens of each part drawn in the stacked bar."""
    return {r["data-part"]: int(r["data-tokens"]) for r in doc.select("svg.chart rect.stack-part")}


def test_page_is_prefilled_with_the_modules_example_counted_for_real(client, app):
    doc = page(client.get("/playground/context"))
    form = doc.select_one("form.context-widget")
    texts = {t["name"]: t.get_text() for t in form.select("textarea")}
    assert set(texts) == {"system", "history", "documents", "user"}
    o200k = app.state.encodings.get("o200k_base").encoding
    expected = {name: len(o200k.encode(text, disallowed_special=())) for name, text in texts.items()}
    assert {k: v for k, v in bar_tokens(doc).items() if k != "reserve"} == expected
    assert bar_tokens(doc)["reserve"] == 2000
    assert form.select_one("select[name=model] option[selected]")["value"] == "gpt-4o"
    assert len(form.select("select[name=model] option")) == len(app.state.model_catalog.models)
    module = {
        row["data-part"]: row.select("td")[-1].get_text()
        for row in doc.select("table.context-parts tr[data-part]")
    }
    assert module == {"system": "~500", "history": "~2,000", "documents": "~8,000", "user": "~200",
                      "reserve": "~2,000", "total": "~12,700", "remaining": "~115,300"}  # fmt: skip
    total = int(doc.select_one('table.context-parts tr[data-part="total"] td')["data-tokens"])
    assert total == sum(bar_tokens(doc).values())
    assert doc.select_one(".context-fits")["data-remaining"] == str(128_000 - total)


def test_nav_links_the_page(client):
    doc = page(client.get("/playground/context"))
    assert doc.select_one('nav a[href="/playground/context"]')["aria-current"] == "page"


def test_htmx_post_returns_the_partial_with_new_counts(client, app):
    response = post_budget(client, system="Hello there, world!", user="Why?", output_reserve=10)
    doc = page(response)
    assert response.status_code == 200 and doc.select_one("html") is None
    o200k = app.state.encodings.get("o200k_base").encoding
    expected = {"system": len(o200k.encode("Hello there, world!")), "user": len(o200k.encode("Why?"))}
    assert bar_tokens(doc) == expected | {"reserve": 10}


def test_crlf_from_a_browser_textarea_counts_as_typed(client, app):
    doc = page(post_budget(client, system="a\r\nb\r\nc"))
    assert bar_tokens(doc)["system"] == len(app.state.encodings.get("o200k_base").encoding.encode("a\nb\nc"))


def test_overflow_warns_and_names_the_cut_part(client):
    doc = page(post_budget(client, system="Be brief.", history="User: hi\nAssistant: hello\n", user="q",
                           output_reserve=128_000))  # fmt: skip
    warning = doc.select_one(".context-overflow")
    assert warning is not None and warning["role"] == "alert"
    cuts = {c["data-part"]: int(c["data-cut"]) for c in warning.select(".context-cut")}
    assert set(cuts) == {"history"}
    assert doc.select_one('svg.chart rect.stack-cut[data-part="history"]') is not None
    assert "cannot be sent" in warning.get_text()  # system prompt and user message alone overflow


def test_estimate_model_shows_the_note(client):
    doc = page(post_budget(client, model="claude-opus-4", system="hi"))
    note = doc.select_one(".context-encoding[data-estimate]")
    assert note is not None and "cl100k_base" in note.get_text()


def test_history_growth_table_rises_each_turn(client):
    history = "User: one two\nAssistant: three four five\nUser: six\nAssistant: seven\n"
    doc = page(post_budget(client, system="sys", history=history, user="eight"))
    rows = doc.select("table.context-turns tbody tr")
    sent = [int(r["data-sent"]) for r in rows]
    assert len(rows) == 3 and sent == sorted(sent) and len(set(sent)) == 3
    assert [int(r["data-cumulative"]) for r in rows] == [sum(sent[: i + 1]) for i in range(3)]
    assert len(doc.select("svg#context-growth-sent rect.col-fill")) == 3


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"model": "gpt-9"}, 422, "unknown model"),
        ({"output_reserve": -5}, 422, "output_reserve"),
        ({"output_reserve": 999_999}, 422, "larger than GPT-4o"),
        ({"user": "x" * 50_001}, 422, "user"),
    ],
)
def test_bad_form_input_gets_a_message_partial(client, fields, status, says):
    response = post_budget(client, **fields)
    assert response.status_code == status
    message = page(response).select_one(".error-message")
    assert message is not None and says in message.get_text()


def test_post_without_csrf_is_refused(client):
    client.get("/playground/context")
    assert client.post("/playground/context", data={"model": "gpt-4o"}).status_code == 403


def test_plain_form_post_returns_the_whole_page(client):
    token = csrf_token(client, "/playground/context")
    data = {"csrf_token": token, "model": "o1", "system": "s", "history": "", "documents": "", "user": "u",
            "output_reserve": 5}  # fmt: skip
    doc = page(client.post("/playground/context", data=data))
    assert doc.select_one("html") is not None
    assert doc.select_one("select[name=model] option[selected]")["value"] == "o1"


def test_ratio_partial_computes_the_modules_lines(client):
    doc = page(
        client.get("/playground/context/attention-cost", params={"short": 1000, "long": 3000}, headers=HX)
    )
    assert doc.select_one("html") is None
    assert float(doc.select_one(".ratio-answer strong")["data-ratio"]) == 9.0
    rows = doc.select("table.ratio-claims tbody tr")
    assert [(r["data-long"], r["data-stated"], float(r["data-computed"])) for r in rows] == [
        ("32", "64", 64.0),
        ("128", "1024", 1024.0),
    ]
    assert all("matches" in r.get_text() for r in rows)


@pytest.mark.parametrize("params", [{"short": 0}, {"long": 10**8}, {"short": "abc"}])
def test_ratio_bad_length_is_422(client, params):
    response = client.get("/playground/context/attention-cost", params=params, headers=HX)
    assert response.status_code == 422 and page(response).select_one(".error-message")


def test_context_lesson_embeds_budget_after_the_diagram_and_the_ratio_after_the_table(client):
    doc = page(client.get("/lessons/context-windows"))
    budget = doc.select_one(".lesson-extra form.context-widget")
    assert budget is not None and budget.select_one('input[name="embedded"]')["value"] == "true"
    assert budget.select_one("svg#lesson-context-window") is not None
    heading = budget.find_previous(["h2", "h3", "h4"])
    assert heading["id"] == "how-context-windows-work"
    ratio = doc.select_one(".lesson-extra form.ratio-widget")
    assert ratio.find_previous(["h2", "h3", "h4"])["id"] == "current-context-windows-as-of-early-2026"


def test_attention_lesson_has_the_ratio_after_attention_complexity(client):
    doc = page(client.get("/lessons/attention-mechanism"))
    ratio = doc.select_one(".lesson-extra form.ratio-widget")
    assert ratio.find_previous(["h2", "h3", "h4"])["id"] == "attention-complexity"
