"""The run manager on its own: one run per learner, N at once, a queue with positions, cancel, failures."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.training.runs import Run, RunRefused, TrainingRuns

from .conftest import wait_until


def blocking_job(release: threading.Event, started: list):
    """A job that reports once and then waits to be released or cancelled."""

    def job(run: Run) -> None:
        started.append(run.id)
        run.emit("progress", {"html": "working"})
        while not release.is_set() and not run.should_stop():
            release.wait(0.01)
        run.emit("end", {"reason": "stopped" if run.should_stop() else "steps", "html": ""})

    return job


def drain(loop: asyncio.AbstractEventLoop, run: Run, timeout: float = 10.0) -> list:
    """Every event the run has sent so far, up to its close (None) if that came."""

    async def collect() -> list:
        out = []
        while True:
            try:
                event = await asyncio.wait_for(run.next_event(), 0.05)
            except TimeoutError:
                return out
            out.append(event)
            if event is None:
                return out

    # On a thread of its own: the browser tests' Playwright keeps an event loop running on this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(loop.run_until_complete, asyncio.wait_for(collect(), timeout)).result()


@pytest.fixture
def loop():
    """An event loop standing in for the server's."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def test_one_live_run_per_learner(loop):
    runs = TrainingRuns(max_running=2, max_waiting=4)
    release, started = threading.Event(), []
    first = runs.reserve("ann", "pre-training", blocking_job(release, started))
    runs.claim(first.id, "ann", loop)
    with pytest.raises(RunRefused) as refused:
        runs.reserve("ann", "fine-tuning", blocking_job(release, started))
    assert refused.value.status == 409 and "pre-training" in refused.value.message
    runs.reserve("bob", "fine-tuning", blocking_job(release, started))  # another learner may
    release.set()
    wait_until(lambda: runs.get(first.id) is None)
    runs.reserve("ann", "fine-tuning", blocking_job(release, started))  # and ann again once hers ended


def test_an_unclaimed_reservation_is_replaced_by_the_learners_next_start(loop):
    runs = TrainingRuns(max_running=1, max_waiting=0)
    stale = runs.reserve("ann", "pre-training", lambda run: None)
    fresh = runs.reserve("ann", "pre-training", lambda run: None)
    assert runs.get(stale.id) is None and runs.get(fresh.id) is fresh
    assert runs.claim(stale.id, "ann", loop) is None


def test_runs_beyond_the_limit_wait_in_order_with_their_position(loop):
    runs = TrainingRuns(max_running=1, max_waiting=4)
    release, started = threading.Event(), []
    first, second, third = (
        runs.reserve(who, "pre-training", blocking_job(release, started)) for who in "abc"
    )
    for run, who in ((first, "a"), (second, "b"), (third, "c")):
        runs.claim(run.id, who, loop)
    wait_until(lambda: started == [first.id])
    assert runs.counts() == {"running": 1, "waiting": 2, "reserved": 0}
    assert ("queued", {"position": 1, "running": 1}) in drain(loop, second)
    assert ("queued", {"position": 2, "running": 1}) in drain(loop, third)
    runs.stop(second)  # leaving the queue moves the next one up
    assert ("queued", {"position": 1, "running": 1}) in drain(loop, third)
    assert drain(loop, second)[-2:] == [("end", {"reason": "stopped", "html": ""}), None]
    release.set()
    wait_until(lambda: runs.counts()["running"] == 0 and runs.counts()["waiting"] == 0)
    assert started == [first.id, third.id]  # the cancelled run never ran


def test_a_full_queue_refuses_with_503(loop):
    runs = TrainingRuns(max_running=1, max_waiting=1)
    runs.reserve("a", "pre-training", lambda run: None)
    runs.reserve("b", "pre-training", lambda run: None)
    with pytest.raises(RunRefused) as refused:
        runs.reserve("c", "pre-training", lambda run: None)
    assert refused.value.status == 503


def test_cancel_stops_a_running_job_between_steps(loop):
    runs = TrainingRuns(max_running=1, max_waiting=0)
    release, started = threading.Event(), []
    run = runs.reserve("ann", "pre-training", blocking_job(release, started))
    runs.claim(run.id, "ann", loop)
    wait_until(lambda: started)
    assert not runs.cancel(run.id, "bob")  # only its learner can cancel it
    assert runs.cancel(run.id, "ann")
    wait_until(lambda: runs.get(run.id) is None)
    events = drain(loop, run)
    assert events[-2:] == [("end", {"reason": "stopped", "html": ""}), None]


def test_a_failing_job_reports_and_frees_its_slot(loop, caplog):
    runs = TrainingRuns(max_running=1, max_waiting=1)

    def broken(run: Run) -> None:
        raise RuntimeError("boom")

    run = runs.reserve("ann", "pre-training", broken)
    runs.claim(run.id, "ann", loop)
    wait_until(lambda: runs.get(run.id) is None)
    name, data = drain(loop, run)[0]
    assert name == "failed" and "logged" in data["message"]
    assert "boom" in caplog.text
    assert runs.counts() == {"running": 0, "waiting": 0, "reserved": 0}


def test_only_its_learner_can_claim_a_run(loop):
    runs = TrainingRuns(max_running=1, max_waiting=0)
    run = runs.reserve("ann", "pre-training", lambda r: None)
    assert runs.claim(run.id, "bob", loop) is None
    assert runs.claim(run.id, "ann", loop) is run
    assert runs.claim(run.id, "ann", loop) is None  # a stream is opened once
