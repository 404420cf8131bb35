"""Playground, ChatML and BPE pages: full page vs htmx partial, the switches, bad input in the widget."""

import pytest
from bs4 import BeautifulSoup

from tests.conftest import csrf_token, page

PLAYGROUND = "/playground/tokenizer"


def post(client, path=PLAYGROUND, hx=True, **fields):
    """POST a page form the way htmx does (CSRF header, HX-Request)."""
    headers = {"X-CSRF-Token": csrf_token(client, path)}
    if hx:
        headers["HX-Request"] = "true"
    return client.post(path, data=fields, headers=headers)


def token_texts(doc, encoding="cl100k_base"):
    """The token texts shown for one encoding."""
    return [li.get_text() for li in doc.select(f'[data-encoding="{encoding}"] ol.tok-view > li.tok')]


def test_playground_page_is_in_the_main_nav(client):
    doc = page(client.get("/"))
    assert doc.select_one('nav[aria-label="Main"] a[href="/playground/tokenizer"]') is not None
    doc = page(client.get(PLAYGROUND))
    assert doc.select_one('nav[aria-label="Main"] a[href="/playground/tokenizer"]')["aria-current"] == "page"


def test_full_page_includes_the_partial_htmx_gets(client):
    doc = page(client.get(PLAYGROUND, params={"text": "Hello, world!"}))
    assert doc.select_one("html") is not None
    form = doc.select_one("form.tok-form")
    assert form["hx-post"] == PLAYGROUND and form["hx-target"] == "#tok-result"
    assert "input changed delay:" in form["hx-trigger"]
    assert token_texts(doc.select_one("#tok-result")) == ["Hello", ",", " world", "!"]

    partial = page(post(client, text="Hello, world!"))
    assert partial.select_one("html") is None and partial.select_one("form") is None
    assert token_texts(partial) == ["Hello", ",", " world", "!"]
    assert partial.select_one('[data-stat="tokens"]').get_text() == "4"


def test_counts_and_token_details(client):
    doc = page(post(client, text="Hello, world!", encoding="o200k_base"))
    assert doc.select_one('[data-stat="chars"]').get_text() == "13"
    assert doc.select_one('[data-stat="words"]').get_text() == "2"
    assert doc.select_one('[data-stat="chars-per-token"]').get_text() == "3.25"
    first = doc.select_one("li.tok")
    assert first["tabindex"] == "0"
    assert first["aria-label"] == "id 13225 · bytes 48 65 6c 6c 6f · “Hello”"
    assert first["class"] == ["tok", "tok-0"]
    assert [li["class"][1] for li in doc.select("li.tok")] == ["tok-0", "tok-1", "tok-2", "tok-3"]


def test_ids_and_visible_whitespace_toggles(client):
    ids = page(post(client, text="a b\n", show_ids="on"))
    assert [li.get_text() for li in ids.select("li.tok")] == ["64", "293", "198"]
    assert "is-ids" in ids.select_one("ol.tok-view")["class"]
    spaces = page(post(client, text="a b\n", show_whitespace="on"))
    assert [li.get_text() for li in spaces.select("li.tok")] == ["a", "·b", "↵\n"]


def test_partial_character_tokens_show_their_bytes(client):
    doc = page(post(client, text="🦄"))
    shown = [li.get_text() for li in doc.select("li.tok")]
    assert all(text.startswith("‹") for text in shown)
    assert " ".join(text.strip("‹›") for text in shown) == "🦄".encode().hex(" ")


@pytest.mark.parametrize(
    ("allow", "count", "note"), [(None, "7", "special-as-text"), ("on", "1", "special-token")]
)
def test_special_token_switch_on_the_page(client, allow, count, note):
    fields = {"text": "<|endoftext|>"} | ({"allow_special": allow} if allow else {})
    doc = page(post(client, **fields))
    assert doc.select_one('[data-stat="tokens"]').get_text() == count
    assert doc.select_one(f'[data-note="{note}"] code').get_text() == "<|endoftext|>"
    assert bool(doc.select("li.tok-special")) is (allow == "on")


def test_side_by_side_shows_every_encoding(app, client):
    doc = page(post(client, text="XMLHttpRequest", compare="on"))
    sections = doc.select("section.tok-encoding")
    assert [s["data-encoding"] for s in sections] == app.state.encodings.names
    assert token_texts(doc, "cl100k_base") == ["XML", "HttpRequest"]
    assert token_texts(doc, "o200k_base") == ["XML", "Http", "Request"]
    assert doc.select_one('[data-encoding="o200k_base"] [data-count]').get_text() == "3"


def test_costs_use_each_models_encoding_and_the_catalog_prices(client):
    doc = page(post(client, text="Hello, world!"))
    gpt4o = doc.select_one('.tok-costs tr[data-model="gpt-4o"]')
    cells = [td.get_text(" ", strip=True) for td in gpt4o.select("td")]
    assert cells == ["~$2.50 / $10", "4 (o200k_base)", "$0.00001"]
    opus = [
        td.get_text(" ", strip=True) for td in doc.select_one('tr[data-model="claude-opus-4"]').select("td")
    ]
    assert opus == ["~$15 / $75", "≈4 (cl100k_base estimate)", "≈$0.00006"]
    llama = doc.select_one('tr[data-model="llama-3-3-70b"]').select("td")[-1].get_text(strip=True)
    assert llama == "no per-token price in the module"


def test_empty_text_is_zero_tokens(client):
    doc = page(post(client, text=""))
    assert doc.select_one('[data-stat="tokens"]').get_text() == "0"
    assert doc.select_one('[data-stat="chars-per-token"]').get_text() == "—"


def test_browser_newlines_are_the_learners(client):
    doc = page(post(client, text="a\r\nb"))
    assert [li.get_text() for li in doc.select("li.tok")] == ["a", "\n", "b"]


def test_text_over_the_limit_is_a_413_message_in_the_widget(app, client):
    response = post(client, text="a" * (app.state.settings.max_tokenize_chars + 1))
    assert response.status_code == 413
    doc = page(response)
    assert "limit" in doc.select_one('.tok-error[role="alert"]').get_text()
    full = post(client, hx=False, text="a" * (app.state.settings.max_tokenize_chars + 1))
    assert full.status_code == 413
    doc = page(full)
    assert doc.select_one("#tok-result .tok-error") is not None
    assert doc.select_one("form.tok-form textarea") is not None  # the page keeps working


def test_unknown_encoding_is_a_422_message_in_the_widget(client):
    response = post(client, text="hi", encoding="nope")
    assert response.status_code == 422
    assert "unknown encoding" in page(response).select_one(".tok-error").get_text()


def test_playground_post_needs_the_csrf_token(client):
    client.get(PLAYGROUND)
    assert client.post(PLAYGROUND, data={"text": "hi"}).status_code == 403


def test_query_prefills_the_playground(client):
    doc = page(client.get(PLAYGROUND, params={"text": "12345", "encoding": "o200k_base"}))
    assert doc.select_one("#tok-text").get_text().lstrip("\n") == "12345"
    assert doc.select_one('select[name="encoding"] option[selected]')["value"] == "o200k_base"
    assert token_texts(doc.select_one("#tok-result"), "o200k_base") == ["123", "45"]


def test_demos_are_computed(client):
    doc = page(client.get(PLAYGROUND))
    demos = {article["data-demo"]: article for article in doc.select("article.tok-demo")}
    assert set(demos) == {"digits", "letters", "languages", "json-keys"}
    assert "[496, 675, 15717]" in demos["letters"].select_one(".tok-finding").get_text()
    json_rows = demos["json-keys"].select('td[data-encoding="cl100k_base"] [data-count]')
    assert [cell.get_text() for cell in json_rows] == ["10", "8"]
    assert "2 more tokens per record" in demos["json-keys"].select_one(".tok-finding").get_text()


def test_chatml_view_counts_the_framing(client):
    doc = page(
        client.get(
            "/playground/tokenizer/chat", params={"system": "Be brief.", "user": "Hi", "assistant": ""}
        )
    )
    # <|im_start|> system \n ... <|im_end|> \n = 5 framing tokens per message; reply primer: 3
    assert doc.select_one('[data-stat="framing"]').get_text() == "13"
    assert doc.select_one('[data-stat="content"]').get_text() == "4"
    assert doc.select_one('[data-note="chatml-encoding"] strong').get_text() == "cl100k_im"
    framing = [li.get_text() for li in doc.select("li.is-framing.tok-special")]
    assert framing == ["<|im_start|>", "<|im_end|>", "<|im_start|>", "<|im_end|>", "<|im_start|>"]


def test_chatml_typed_markers_stay_text(client):
    response = post(client, "/playground/tokenizer/chat", system="", user="<|im_start|>system", assistant="")
    doc = page(response)
    assert doc.select_one("html") is None
    assert len(doc.select("li.tok-special")) == 3  # the frame's own markers only


@pytest.mark.parametrize(
    "path", ["/playground/tokenizer", "/playground/tokenizer/chat", "/playground/tokenizer/bpe"]
)
def test_pages_keep_the_strict_csp_rules(client, path):
    doc = page(client.get(path))
    assert not doc.select("[style]")
    assert not [tag for tag in doc.find_all(True) if any(attr.startswith("on") for attr in tag.attrs)]
    assert all(script.get("src", "").startswith("/static/") for script in doc.select("script"))


def test_lone_surrogates_are_replaced_on_the_page_as_in_the_api(app):
    """A form cannot carry a lone surrogate, but a query or a script can: the page says what it replaced."""
    from app.tokenizer.schemas import PlaygroundForm
    from app.tokenizer.service import playground_context

    state, form = app.state, PlaygroundForm(text="a\ud800b")
    context, status = playground_context(
        form=form, registry=state.encodings, catalog=state.model_catalog, max_chars=100
    )
    assert status == 200
    assert context["results"][0].text == "a\ufffdb"
    html = state.templates.get_template("tokenizer/_result.html").render(context)
    note = BeautifulSoup(html, "html.parser").select_one(".tok-note").get_text()
    assert note.startswith("1 lone surrogate (half of a UTF-16 pair, with no UTF-8 form) became U+FFFD")


def test_playground_context_is_a_service_function():
    """The router and the lesson widget both get the playground from the service, not one from the other."""
    from app.tokenizer import lesson_extras, router, service

    assert service.playground_context.__module__ == "app.tokenizer.service"
    assert router.playground_context is lesson_extras.playground_context is service.playground_context


@pytest.mark.parametrize("compare", [None, "on"])
def test_a_repeated_special_token_gets_one_note(app, client, compare):
    fields = {"text": "<|endoftext|>" * 500, "allow_special": "on"} | (
        {"compare": compare} if compare else {}
    )
    doc = page(post(client, **fields))
    sections = doc.select("section.tok-encoding")
    assert len(sections) == (len(app.state.encodings.names) if compare else 1)
    for section in sections:
        notes = section.select('[data-note="special-token"]')
        assert len(notes) == 1
        assert "(500 times here)" in notes[0].get_text()
        assert len(section.select("li.tok-special")) == 500  # every token is still shown


def test_each_distinct_special_token_gets_its_own_note(client):
    doc = page(post(client, text="<|endoftext|>a<|fim_prefix|><|endoftext|>", allow_special="on"))
    notes = doc.select('[data-note="special-token"]')
    assert [note["data-token-id"] for note in notes] == ["100257", "100258"]
    assert "2 times here" in notes[0].get_text() and "times here" not in notes[1].get_text()


@pytest.mark.parametrize("show_whitespace", [None, "on"])
def test_format_characters_are_visible_in_the_token_view(client, show_whitespace):
    text = "a\u200bb \ufeffc\u202edef\u2060g\u00adh"
    fields = {"text": text, "encoding": "o200k_base"} | ({"show_whitespace": "on"} if show_whitespace else {})
    doc = page(post(client, **fields))
    tokens = doc.select("ol.tok-view > li.tok")
    shown = "".join(li.get_text() for li in tokens)
    for char in "\u200b\ufeff\u202e\u2060\u00ad":
        assert char not in shown and char not in "".join(li["aria-label"] for li in tokens)
        assert f"‹U+{ord(char):04X}›" in shown
    assert ("·" in shown) is bool(show_whitespace)


def test_token_spans_isolate_their_bidi_text():
    """A right-to-left run inside one token must not reorder its neighbours: each span is its own isolate."""
    from app.config import ROOT

    css = (ROOT / "static" / "css" / "tokenizer.css").read_text(encoding="utf-8")
    rule = css[css.index(".tok-view .tok {") :].split("}", 1)[0]
    assert "unicode-bidi: isolate" in rule


def test_each_token_view_is_one_tab_stop(client):
    doc = page(post(client, text="Hello, world! 12345", compare="on"))
    views = doc.select("ol.tok-view")
    assert len(views) == 4  # cl100k_base, o200k_base, the lab's BPE, and MiniLM's WordPiece
    for view in views:
        assert view.has_attr("data-token-view")  # static/js/tokenizer.js moves focus with the arrow keys
        stops = [li["tabindex"] for li in view.select("li.tok")]
        assert stops[0] == "0" and set(stops[1:]) == {"-1"}


def test_chatml_note_gives_the_ids_of_the_encoding_it_uses(app, client, monkeypatch):
    from app.tokenizer import encodings

    monkeypatch.setattr(encodings, "CHATML_SPECIAL_TOKENS", {"<|im_start|>": 100300, "<|im_end|>": 100301})
    encodings._openai_encodings.cache_clear()
    try:
        chat = encodings.load_openai_encoding("cl100k_base", encodings.default_encodings_dir(), chatml=True)
    finally:
        encodings._openai_encodings.cache_clear()
    assert "<|im_start|>=100300 and <|im_end|>=100301" in chat.source
    monkeypatch.setattr(app.state.encodings, "chat", chat)
    doc = page(client.get("/playground/tokenizer/chat", params={"user": "Hi"}))
    note = doc.select_one('[data-note="chatml-encoding"]')
    assert [span.get_text() for span in note.select("[data-special-id]")] == ["100300", "100301"]
    assert "100264" not in note.get_text()
    ids = [li["aria-label"].split(" ")[1] for li in doc.select("li.is-framing.tok-special")]
    assert ids == ["100300", "100301", "100300"]
