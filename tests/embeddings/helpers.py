"""Helpers shared by the embeddings tests and the browser tests."""

import threading


class HeldLoad:
    """Stands in for load_sentence_encoder: blocks until released, then hands over the real encoder."""

    def __init__(self, encoder) -> None:  # noqa: ANN001 - SentenceEncoder
        self.encoder = encoder
        self.release = threading.Event()
        self.called = threading.Event()
        self.calls = 0

    def __call__(self):  # noqa: ANN204
        self.calls += 1
        self.called.set()
        if not self.release.wait(timeout=60):
            raise TimeoutError("the test never released the encoder")
        return self.encoder
