"""Request ids and the access log: one line per request, the id echoed, and in the log of a 500."""

import logging
import re

import pytest
from fastapi.testclient import TestClient

from app.requestlog.request_id import request_id_from

HEX32 = re.compile(r"[0-9a-f]{32}")


def access_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "app.access"]


def test_every_response_carries_a_generated_id(client):
    ids = {
        client.get(path).headers["x-request-id"]
        for path in ("/", "/healthz", "/nowhere", "/static/css/lab.css")
    }
    assert len(ids) == 4 and all(HEX32.fullmatch(rid) for rid in ids)


def test_a_sane_incoming_id_is_kept(client):
    sent = "3f1c2e8a-5b7d-4c1e-9a2b-0d6e4f8a1b2c"
    assert client.get("/healthz", headers={"X-Request-ID": sent}).headers["x-request-id"] == sent


@pytest.mark.parametrize(
    "sent",
    ["short", "x" * 65, "has space in it", "quote\"marks'here", "<script>alert(1)</script>", "ünïcödé-id"],
)
def test_an_unsafe_or_odd_sized_id_is_replaced(client, sent):
    echoed = client.get("/healthz", headers={"X-Request-ID": sent.encode()}).headers["x-request-id"]
    assert echoed != sent and HEX32.fullmatch(echoed)


def test_request_id_from_keeps_only_safe_ids():
    assert request_id_from(b"abc.DEF_123:xyz-9") == "abc.DEF_123:xyz-9"
    assert HEX32.fullmatch(request_id_from(None))
    assert HEX32.fullmatch(request_id_from(b"a\x00bcdefghij"))


def test_one_access_line_per_request_with_id_route_status_and_duration(client, caplog):
    client.get("/")  # the learner cookie, so the lesson request is an ordinary one
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="app.access"):
        response = client.get(
            "/lessons/tokenization?q=secret-text", headers={"X-Request-ID": "req-0001-abcd"}
        )
    lines = access_lines(caplog)
    assert len(lines) == 1
    rid, address, method, route, path, status, duration = lines[0].split(" ")
    assert (rid, address, method, route, path, status) == (
        "req-0001-abcd",
        "testclient",
        "GET",
        "/lessons/{slug}",
        "/lessons/tokenization",
        "200",
    )
    assert re.fullmatch(r"\d+\.\dms", duration)
    assert response.headers["x-request-id"] == "req-0001-abcd"
    assert "secret-text" not in lines[0]  # the query string stays out of the log


def test_refusals_are_logged_too(client, caplog):
    with caplog.at_level(logging.INFO, logger="app.access"):
        client.get("/nowhere")
        client.get("/?q=" + "a" * 9000)
    parts = [line.split(" ")[2:6] for line in access_lines(caplog)]
    assert parts == [["GET", "-", "/nowhere", "404"], ["GET", "-", "/", "414"]]


def test_an_unexpected_error_logs_its_request_id(app, caplog):
    def boom():
        raise RuntimeError("kaput")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.INFO):
        response = client.get("/boom", headers={"X-Request-ID": "trace-500-abcdef"})
    assert response.status_code == 500 and "kaput" not in response.text
    assert response.headers["x-request-id"] == "trace-500-abcdef"
    errors = [r for r in caplog.records if r.name == "app.errors" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and "trace-500-abcdef" in errors[0].getMessage() and errors[0].exc_info
    assert [line.split(" ")[5] for line in access_lines(caplog)] == ["500"]
