"""Security by default: CSRF, headers, cookies, body limits, no stack traces."""

import pytest
from fastapi.testclient import TestClient

from app.security.cookies import COOKIE_NAME
from tests.conftest import csrf_token, page


def test_state_change_without_csrf_token_is_refused(client):
    client.get("/")
    response = client.post("/lessons/tokenization/done", data={"done": "true"})
    assert response.status_code == 403
    card = page(client.get("/")).select_one('.lesson-card[data-slug="tokenization"]')
    assert "is-done" not in card["class"]


def test_csrf_token_of_another_learner_is_refused(app, client):
    with TestClient(app) as other:
        foreign = csrf_token(other)
    client.get("/")
    response = client.post(
        "/lessons/tokenization/done", data={"done": "true"}, headers={"X-CSRF-Token": foreign}
    )
    assert response.status_code == 403


def test_security_headers_on_pages_and_errors(client):
    for path in ("/", "/nowhere", "/static/css/lab.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"]


PAGES = [
    "/",
    "/lessons/transformer-architecture",
    "/lessons/tokenization",
    "/lessons/attention-mechanism",
    "/lessons/key-parameters",
    "/lessons/context-windows",
    "/lessons/mental-models",
    "/lessons/embeddings",
    "/lessons/training-pipeline",
    "/playground/tokenizer",
    "/playground/tokenizer/chat",
    "/playground/tokenizer/bpe",
    "/playground/attention",
    "/playground/sampling",
    "/playground/sampling/custom",
    "/playground/context",
    "/playground/completions",
    "/playground/architecture",
    "/playground/embeddings",
    "/playground/training",
    "/mock",
    "/review",
    "/progress",
    "/api",
    "/playground/costs",
    "/lessons/model-families",
    "/lessons/context-windows",
    "/lessons/mental-models",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_style_or_external_assets(client, path):
    response = client.get(path)
    assert response.status_code == 200
    doc = page(response)
    for script in doc.select("script"):
        assert script.get("src", "").startswith("/static/"), script
        assert not script.get_text(strip=True)
    for link in doc.select("link[href]"):
        assert link["href"].startswith("/static/")
    assert not doc.select("[style]")
    assert not [tag for tag in doc.find_all(True) if any(attr.startswith("on") for attr in tag.attrs)]


def test_learner_cookie_is_signed_httponly_lax(client):
    response = client.get("/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


@pytest.mark.parametrize("forged", ["garbage", "a" * 32, "eyJ4IjoxfQ.forged-signature", ""])
def test_tampered_cookie_gets_a_new_learner_not_a_500(client, forged):
    token = csrf_token(client, "/lessons/tokenization")
    client.post("/lessons/tokenization/done", data={"done": "true"}, headers={"X-CSRF-Token": token})
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, forged)
    response = client.get("/")
    assert response.status_code == 200
    assert "is-done" not in page(response).select_one('.lesson-card[data-slug="tokenization"]')["class"]
    assert response.headers["set-cookie"].startswith(f"{COOKIE_NAME}=")


def test_stale_cookie_of_a_vanished_learner_gets_a_new_learner(app, client):
    from app.security.cookies import LearnerCookie

    stale = LearnerCookie("test-secret", secure=False)._serializer.dumps("f" * 32)
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, stale)
    response = client.get("/")
    assert response.status_code == 200
    new_id = app.state.cookies._serializer.loads(response.cookies[COOKIE_NAME])
    assert new_id != "f" * 32


def test_oversized_body_is_413(client):
    token = csrf_token(client)
    response = client.post(
        "/learner/name",
        content=b"display_name=" + b"x" * 2_000_000,
        headers={"X-CSRF-Token": token, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_display_name_too_long_is_422_and_name_unchanged(client):
    token = csrf_token(client)
    client.post("/learner/name", data={"display_name": "Ada"}, headers={"X-CSRF-Token": token})
    response = client.post("/learner/name", data={"display_name": "x" * 150}, headers={"X-CSRF-Token": token})
    assert response.status_code == 422
    assert page(client.get("/")).select_one("#display-name")["value"] == "Ada"


def test_display_name_is_escaped(client):
    token = csrf_token(client)
    client.post("/learner/name", data={"display_name": "<b>Ada</b>"}, headers={"X-CSRF-Token": token})
    doc = page(client.get("/"))
    assert doc.select_one(".name-form b") is None
    assert doc.select_one(".saved").get_text() == "Hello, <b>Ada</b>."


def test_unexpected_error_is_a_clean_500(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_every_response_says_how_long_the_app_took(client):
    for path in ("/", "/nowhere", "/api/encodings"):
        timing = client.get(path).headers["server-timing"]
        assert timing.startswith("app;dur=") and float(timing.removeprefix("app;dur=")) > 0
