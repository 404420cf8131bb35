"""Fixtures for the training demos: a tiny model with room for a whole chat exchange, small run caps."""

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Settings
from tests.conftest import csrf_token, page, tiny_checkpoint


@pytest.fixture(scope="session")
def chat_model_dir(tmp_path_factory) -> Path:
    """A real checkpoint: a tiny random transformer whose 256-token context holds every SFT and DPO pair."""
    return tiny_checkpoint(tmp_path_factory.mktemp("chat-model"), context_length=256, n_layer=1)


@pytest.fixture
def settings(tmp_path: Path, chat_model_dir: Path) -> Settings:
    """The test settings with the chat-sized tiny model, two runs at once and runs capped at 4 steps."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'lab.db'}",
        var_dir=tmp_path,
        secret_key="test-secret",
        model_dir=chat_model_dir,
        training_runs=2,
        training_step_cap=4,
        training_max_seconds=20,
    )


def hx_headers(client) -> dict[str, str]:
    """What htmx sends with a POST from the page: the CSRF token and HX-Request."""
    return {"X-CSRF-Token": csrf_token(client), "HX-Request": "true"}


FORMS = {
    "pretrain": {"steps": "4", "seconds": "20", "learning_rate": "0.01", "seed": "1"},
    "sft": {
        "steps": "4",
        "seconds": "20",
        "learning_rate": "0.001",
        "seed": "1",
        "question": "What is a token?",
    },
    "dpo": {
        "sft_steps": "2",
        "steps": "3",
        "seconds": "20",
        "beta": "0.1",
        "learning_rate": "0.0001",
        "seed": "1",
        "question": "What is DPO?",
    },  # fmt: skip
}


def start_run(client, kind: str, **changes: str):
    """POST a demo's form; the response (a run panel, or an error)."""
    return client.post(
        f"/playground/training/runs/{kind}", data=FORMS[kind] | changes, headers=hx_headers(client)
    )


def stream_url(response) -> str:
    """The stream address in a run panel."""
    return page(response).select_one(".training-run[data-training-stream]")["data-training-stream"]


def sse_events(lines: Iterator[str]) -> Iterator[tuple[str, dict]]:
    """(event, data) pairs from a server-sent-events line stream."""
    name = None
    for line in lines:
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: ") and name is not None:
            yield name, json.loads(line.removeprefix("data: "))
            name = None


def run_to_end(client, response) -> list[tuple[str, dict]]:
    """Stream a started run until it ends; every event."""
    with client.stream("GET", stream_url(response)) as stream:
        events = list(sse_events(stream.iter_lines()))
    assert events and events[-1][0] in ("end", "failed"), events[-1:]
    return events


def wait_until(condition, timeout: float = 20.0) -> None:
    """Poll until condition() is true, or fail."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)
