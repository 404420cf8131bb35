"""Rate limits on the model routes: per learner (the signed cookie) and per address, 429 with Retry-After."""

import pydantic
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from app.config import Settings
from app.main import create_app
from app.ratelimit.limiter import RateLimiter
from tests.conftest import csrf_token, page

NEXT_TOKEN = {"prompt": "The cat", "top": 3}


def rejected_count() -> float:
    return REGISTRY.get_sample_value("lab_rejected_requests_total", {"reason": "rate_limited"}) or 0.0


def limited_app(settings: Settings, *, learner: str = "", address: str = ""):
    settings.rate_limit_learner = learner
    settings.rate_limit_address = address
    return create_app(settings)


def test_a_learner_past_the_limit_gets_429_with_retry_after_and_others_do_not(settings):
    app = limited_app(settings, learner="3/minute")
    with TestClient(app) as alice, TestClient(app) as bob:
        alice.get("/")  # the learner cookie; the API counts it when it is sent
        bob.get("/")
        before = rejected_count()
        statuses = [alice.post("/api/next-token", json=NEXT_TOKEN).status_code for _ in range(4)]
        refused = alice.post("/api/next-token", json=NEXT_TOKEN)
        assert statuses == [200, 200, 200, 429]
        assert refused.headers["content-type"].startswith("application/json")
        assert "Too many model requests from you" in refused.json()["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert rejected_count() == before + 2
        assert bob.post("/api/next-token", json=NEXT_TOKEN).status_code == 200  # same address, own count


def test_an_address_past_the_limit_gets_429_whatever_its_cookies(settings):
    app = limited_app(settings, address="2/minute")
    with (
        TestClient(app) as first,
        TestClient(app) as second,
        TestClient(app, client=("10.0.0.9", 4000)) as other,
    ):
        assert first.post("/api/attention", json={"text": "The cat sat"}).status_code == 200
        assert second.post("/api/attention", json={"text": "The cat sat"}).status_code == 200
        refused = second.post("/api/attention", json={"text": "The cat sat"})
        assert refused.status_code == 429 and "your network address" in refused.json()["detail"]
        assert other.post("/api/attention", json={"text": "The cat sat"}).status_code == 200


def test_routes_without_a_model_are_not_counted(settings):
    app = limited_app(settings, learner="1/minute", address="1/minute")
    with TestClient(app) as client:
        for _ in range(5):
            assert (
                client.post("/api/tokenize", json={"text": "hello", "encoding": "cl100k_base"}).status_code
                == 200
            )
            assert client.get("/lessons/tokenization").status_code == 200
            assert client.get("/healthz").status_code == 200


def test_a_refused_request_spends_nothing(settings):
    limiter = RateLimiter(per_learner="2/minute", per_address="3/minute")
    assert limiter.check(learner_id="a" * 32, address="1.1.1.1") is None
    assert limiter.check(learner_id="a" * 32, address="1.1.1.1") is None
    refusal = limiter.check(learner_id="a" * 32, address="1.1.1.1")
    assert refusal is not None and refusal.scope == "learner"
    # The refusal did not count against the address: one more learner still fits in its 3.
    assert limiter.check(learner_id="b" * 32, address="1.1.1.1") is None
    assert limiter.check(learner_id="c" * 32, address="1.1.1.1").scope == "address"


def test_a_slider_widget_past_the_limit_gets_the_error_partial(settings):
    app = limited_app(settings, learner="1/minute")
    with TestClient(app) as client:
        client.get("/")
        query = {"prompt": "The cat", "temperature": "0.7"}
        assert (
            client.get("/playground/sampling", params=query, headers={"HX-Request": "true"}).status_code
            == 200
        )
        refused = client.get("/playground/sampling", params=query, headers={"HX-Request": "true"})
        assert refused.status_code == 429 and refused.headers["retry-after"]
        assert "Too many model requests" in page(refused).select_one(".error-message").text
        whole = client.get("/playground/sampling", params=query)
        assert whole.status_code == 429 and "Too many requests" in page(whole).select_one("title").text


def test_free_text_grading_is_counted_but_choices_and_draft_saves_are_not(settings):
    app = limited_app(settings, learner="1/minute")
    with TestClient(app) as client:
        token = csrf_token(client)
        headers = {"X-CSRF-Token": token}
        question = next(q for q in app.state.question_bank.questions.values() if q.type == "free_text")
        url = f"/quiz/questions/{question.id}/answer"
        for _ in range(3):  # skips take no model slot, so they spend no limit
            assert client.post(url, data={"skip": "true"}, headers=headers).status_code != 429
        assert client.post(url, data={"text": "An answer."}, headers=headers).status_code != 429
        refused = client.post(url, data={"text": "Another answer."}, headers=headers)
        assert refused.status_code == 429


def test_the_defaults_let_a_fast_slider_drag_through(client):
    """A drag sends one request per 60 ms pause (hx-trigger delay:60ms), one at a time: 30 in a row pass."""
    client.get("/")
    statuses = {
        client.get(
            "/playground/sampling",
            params={"prompt": "The cat", "temperature": f"{t / 20:.2f}"},
            headers={"HX-Request": "true"},
        ).status_code
        for t in range(30)
    }
    assert statuses == {200}


@pytest.mark.parametrize("value", ["lots", "10 per fortnight", "5/minute;x"])
def test_an_unreadable_limit_stops_the_settings(value):
    with pytest.raises(pydantic.ValidationError, match="rate_limit_learner"):
        Settings(rate_limit_learner=value)


def test_empty_limits_turn_the_limiter_off():
    assert not RateLimiter(per_learner="", per_address=" ").enabled
    assert RateLimiter(per_learner="", per_address="1/second").enabled
