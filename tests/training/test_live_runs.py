"""Live runs over HTTP on the tiny model: streamed progress, the end state, cancel, disconnect, limits."""

import copy
import threading
import time

import httpx
import pytest
import torch
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.browser.conftest import LiveServer
from tests.conftest import csrf_token, page

from .conftest import run_to_end, sse_events, start_run, stream_url, wait_until


def html(data: dict) -> BeautifulSoup:
    """An event's rendered panel."""
    return BeautifulSoup(data["html"], "html.parser")


def files_under(folder) -> set:
    """Every file below a folder, with its size and modification time."""
    return {(p, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_a_pretraining_run_streams_the_chart_and_samples_then_ends(app, settings, client):
    client.get("/")
    on_disk = files_under(settings.var_dir) | files_under(settings.model_dir)
    events = run_to_end(client, start_run(client, "pretrain", steps="4"))
    names = [name for name, _ in events]
    assert names[-1] == "end" and set(names[:-1]) == {"progress"}
    points = [
        int(html(d).select_one("svg#pretrain-loss .series.curve-train")["data-points"]) for _, d in events
    ]
    assert points == sorted(points) and points[-1] == 4  # the loss curve grows, one point per step
    final = html(events[-1][1])
    assert events[-1][1]["reason"] == "steps"
    assert final.select_one(".run-view")["data-state"] == "ended"
    assert final.select_one("[data-stat='step']").get_text() == "4 / 4"
    steps = [int(tr["data-step"]) for tr in final.select("table.samples tbody tr")]
    assert steps[-1] == 0 and steps[0] == 4  # newest first: the random weights' sample is last
    assert app.state.training.runs.counts() == {"running": 0, "waiting": 0, "reserved": 0}
    assert files_under(settings.var_dir) | files_under(settings.model_dir) == on_disk  # nothing written


def test_a_run_is_capped_by_the_servers_step_limit(client):
    events = run_to_end(client, start_run(client, "pretrain", steps="500"))
    assert html(events[-1][1]).select_one("[data-stat='step']").get_text() == "4 / 4"  # TRAINING_STEP_CAP=4


def test_sft_trains_a_copy_and_shows_base_and_tuned_answers(app, client):
    shared = app.state.lab_model.model
    before = copy.deepcopy(shared.state_dict())
    events = run_to_end(client, start_run(client, "sft"))
    final = html(events[-1][1])
    assert events[-1][1]["reason"] == "steps"
    assert int(final.select_one("[data-stat='prompt-tokens']").get_text()) > 0  # prompt targets were masked
    base = final.select_one(".answer[data-model='base'] .answer-prompt").get_text()
    assert base == "User: What is a token?\nAssistant:"
    assert final.select_one(".answer[data-model='tuned'] figcaption").get_text() == "After 4 SFT steps"
    for name, tensor in shared.state_dict().items():
        assert torch.equal(tensor, before[name]), name  # the model the other widgets use is untouched


def test_dpo_runs_sft_then_reports_loss_margin_and_kl(client):
    events = run_to_end(client, start_run(client, "dpo"))
    phases = [html(d).select_one(".run-view")["data-phase"] for name, d in events if d.get("html")]
    assert phases[0] == "sft" and phases[-1] == "dpo"
    final = html(events[-1][1])
    assert final.select_one("[data-stat='step']").get_text() == "3 / 3"
    assert float(final.select_one("[data-stat='kl']").get_text()) >= 0
    loss = final.select_one("svg#dpo-loss .series.curve-train")
    assert loss["data-points"] == "3"
    assert final.select_one(".answer[data-model='reference'] .answer-text")
    assert final.select_one(".answer[data-model='policy'] .answer-text")


def test_cancel_stops_a_run(app, client):
    app.state.training.step_cap = 100_000
    response = start_run(client, "pretrain", steps="5000")
    run_id = page(response).select_one(".training-run")["data-run-id"]
    with client.stream("GET", stream_url(response)) as stream:
        events = sse_events(stream.iter_lines())
        assert next(events)[0] == "progress"
        cancelled_at = time.monotonic()
        assert (
            client.post(
                f"/playground/training/runs/{run_id}/cancel", headers={"X-CSRF-Token": csrf_token(client)}
            ).status_code
            == 204
        )
        rest = list(events)
    assert rest[-1][0] == "end" and rest[-1][1]["reason"] == "stopped"
    assert time.monotonic() - cancelled_at < 10
    assert "Cancelled after" in html(rest[-1][1]).select_one(".run-status").get_text()
    assert app.state.training.runs.get(run_id) is None


def test_a_second_learner_waits_with_a_visible_position(app, client):
    app.state.training.runs.max_running = 1
    app.state.training.step_cap = 100_000
    response = start_run(client, "pretrain", steps="5000")
    other = TestClient(app)
    other.get("/")
    waiting = start_run(other, "pretrain", steps="4")
    with client.stream("GET", stream_url(response)) as first:
        first_events = sse_events(first.iter_lines())
        assert next(first_events)[0] == "progress"  # the first run is training, for seconds
        with other.stream("GET", stream_url(waiting)) as second:
            events = sse_events(second.iter_lines())
            assert next(events) == ("queued", {"position": 1, "running": 1})
            run_id = page(response).select_one(".training-run")["data-run-id"]
            client.post(
                f"/playground/training/runs/{run_id}/cancel", headers={"X-CSRF-Token": csrf_token(client)}
            )
            rest = list(events)  # the first run's slot frees, and the second one trains
        assert list(first_events)[-1][1]["reason"] == "stopped"
    assert rest[0][0] == "progress" and rest[-1][0] == "end" and rest[-1][1]["reason"] == "steps"


@pytest.fixture
def served(settings):
    """The lab over real HTTP (uvicorn), so a client can really go away."""
    settings.training_step_cap = 100_000
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


def test_a_client_that_goes_away_cancels_its_run(served):
    with httpx.Client(base_url=served.url, timeout=30) as http:
        http.get("/")
        token = BeautifulSoup(http.get("/").text, "html.parser").body["hx-headers"].split('"')[3]
        started = http.post(
            "/playground/training/runs/pretrain",
            data={"steps": "5000", "seconds": "20", "learning_rate": "0.01", "seed": "1"},
            headers={"X-CSRF-Token": token, "HX-Request": "true"},
        )
        panel = BeautifulSoup(started.text, "html.parser").select_one(".training-run")
        runs = served.app.state.training.runs
        with http.stream("GET", panel["data-training-stream"]) as stream:
            assert next(sse_events(stream.iter_lines()))[0] == "progress"
            run = runs.get(panel["data-run-id"])
            assert run.state == "running"
        left_at = time.monotonic()  # leaving the block closed the connection
        wait_until(lambda: run.state == "finished", timeout=10)
    assert run.cancelled.is_set() and time.monotonic() - left_at < 10  # long before its 20 s budget
    assert runs.counts() == {"running": 0, "waiting": 0, "reserved": 0}


def test_other_pages_answer_while_two_runs_train(app, client):
    app.state.training.step_cap = 100_000
    other = TestClient(app)
    other.get("/")
    streams = []
    for who in (client, other):
        response = start_run(who, "pretrain", steps="5000", seconds="20")
        streams.append((who, stream_url(response), page(response).select_one(".training-run")["data-run-id"]))
    started = threading.Barrier(3)

    def follow(who, url):
        with who.stream("GET", url) as stream:
            events = sse_events(stream.iter_lines())
            next(events)
            started.wait()
            list(events)

    threads = [threading.Thread(target=follow, args=(who, url)) for who, url, _ in streams]
    for thread in threads:
        thread.start()
    started.wait()
    assert app.state.training.runs.counts()["running"] == 2
    assert client.get("/playground/attention").status_code == 200
    assert client.post("/api/next-token", json={"prompt": "The cat"}).status_code == 200
    for who, _, run_id in streams:
        who.post(f"/playground/training/runs/{run_id}/cancel", headers={"X-CSRF-Token": csrf_token(who)})
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads)
