"""Background loads: one load on a daemon thread; get() says 'loading' meanwhile and keeps a failure."""

import threading

import pytest

from app.embeddings.handle import BackgroundLoad, EncoderHandle, EncoderLoading
from app.embeddings.model import EmbeddingModelError


def held(value=42):  # noqa: ANN001, ANN201
    """A load that waits for its event, counting its calls."""
    gate = threading.Event()
    calls = []

    def load():  # noqa: ANN202
        calls.append(1)
        gate.wait(timeout=10)
        return value

    return load, gate, calls


def test_get_says_loading_until_the_value_is_there():
    load, gate, calls = held()
    handle = BackgroundLoad(load, what="The answer").start()
    with pytest.raises(EncoderLoading, match="The answer is still loading"):
        handle.get()
    assert not handle.ready
    gate.set()
    assert handle.wait(timeout=5) == 42
    assert handle.ready and handle.get() == 42
    assert handle.load_seconds is not None and handle.load_seconds >= 0


def test_the_load_runs_once_however_often_it_is_started():
    load, gate, calls = held()
    handle = BackgroundLoad(load, what="x")
    for _ in range(3):
        handle.start()
    gate.set()
    handle.wait(timeout=5)
    handle.start()
    assert calls == [1]


def test_get_starts_a_load_nobody_started():
    handle = BackgroundLoad(lambda: "v", what="x")
    assert handle.wait(timeout=5) == "v"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (EmbeddingModelError("model.safetensors is 12 bytes"), "model.safetensors is 12 bytes"),
        (OSError("disk on fire"), "x failed to load: disk on fire"),
    ],
)
def test_a_failed_load_is_reraised_as_an_embedding_model_error(error, message):
    def load():  # noqa: ANN202
        raise error

    handle = BackgroundLoad(load, what="x")
    with pytest.raises(EmbeddingModelError, match=message):
        handle.wait(timeout=5)
    assert not handle.ready
    with pytest.raises(EmbeddingModelError):
        handle.get()  # every later caller hears the same


def test_wait_times_out_while_still_loading():
    load, gate, _ = held()
    handle = BackgroundLoad(load, what="x")
    with pytest.raises(TimeoutError):
        handle.wait(timeout=0.05)
    gate.set()


def test_encoder_handle_get_or_none():
    load, gate, _ = held(value="encoder")
    handle = EncoderHandle(load)
    assert handle.get_or_none() is None
    gate.set()
    handle.wait(timeout=5)
    assert handle.get_or_none() == "encoder"
