"""Things that load in the background: all-MiniLM-L6-v2 and the search index built with it.

The lab answers requests while MiniLM loads (a few seconds on two cores); only what needs the model waits,
by asking its handle: `get()` hands the loaded value over, or raises EncoderLoading, which the pages turn
into a "loading" partial that retries by itself and the JSON API into a 503 with Retry-After.
"""

import atexit
import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from app.embeddings.model import EmbeddingModelError, SentenceEncoder

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_AFTER_SECONDS = 1
# A process that exits while a load is inside torch or the tokenizers' native code aborts ("terminate called
# without an active exception"); at exit, a load still running gets this long to finish.
EXIT_WAIT_SECONDS = 60


def _at_exit(callback: Callable[[], None]) -> None:
    """Run `callback` when the main thread ends, before thread pools stop taking work.

    The loaders use thread pools (safetensors, tokenizers); `atexit` runs only after those pools have shut,
    so a load still running would fail there. `threading._register_atexit` is the hook the standard
    library's own thread pools use for the same reason; where it is missing, plain `atexit` still spares
    the process the native abort.
    """
    register = getattr(threading, "_register_atexit", atexit.register)
    register(callback)


class EncoderLoading(RuntimeError):
    """The value is still loading in the background; ask again in a moment."""

    retry_after = RETRY_AFTER_SECONDS


class BackgroundLoad(Generic[T]):
    """A value produced once, by `load`, on a daemon thread; a failure is kept and re-raised on `get()`."""

    def __init__(self, load: Callable[[], T], *, what: str) -> None:
        self.what = what
        self._load = load
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._value: T | None = None
        self._error: BaseException | None = None
        self.started_at: float | None = None  # time.monotonic()
        self.ready_at: float | None = None
        self._exiting = False  # set at interpreter exit, while this waits for the load to finish

    def start(self) -> "BackgroundLoad[T]":
        """Begin loading on a daemon thread (once; later calls do nothing)."""
        with self._lock:
            if self._thread is None:
                self.started_at = time.monotonic()
                self._thread = threading.Thread(target=self._run, name=f"load {self.what}", daemon=True)
                self._thread.start()
                _at_exit(self._finish_before_exit)
        return self

    def _finish_before_exit(self) -> None:
        self._exiting = True
        self._done.wait(EXIT_WAIT_SECONDS)

    def _run(self) -> None:
        try:
            self._value = self._load()
        except BaseException as exc:  # noqa: BLE001 - kept and re-raised to every caller of get()
            if self._exiting:  # a library refuses new threads once the process has begun to exit
                log.info("stopped loading %s: the process is exiting", self.what)
            else:
                log.exception("loading %s failed", self.what)
            self._error = exc
        self.ready_at = time.monotonic()
        self._done.set()

    @property
    def ready(self) -> bool:
        """True once loaded (False while loading, and after a failure)."""
        return self._done.is_set() and self._error is None

    @property
    def load_seconds(self) -> float | None:
        """How long the load took, once it has finished."""
        if self.started_at is None or self.ready_at is None:
            return None
        return self.ready_at - self.started_at

    def get(self) -> T:
        """The loaded value; EncoderLoading while loading; EmbeddingModelError if the load failed."""
        self.start()  # an app served without its lifespan (a bare TestClient) still loads on first use
        if not self._done.is_set():
            waited = time.monotonic() - (self.started_at or time.monotonic())
            raise EncoderLoading(
                f"{self.what} is still loading ({waited:.0f} s so far); try again in a moment."
            )
        if self._error is not None:
            if isinstance(self._error, EmbeddingModelError):
                raise self._error
            raise EmbeddingModelError(f"{self.what} failed to load: {self._error}") from self._error
        return self._value  # type: ignore[return-value]

    def wait(self, timeout: float | None = None) -> T:
        """Block until loaded (for tests, benchmarks and loads that depend on this one), then `get()`."""
        self.start()
        if not self._done.wait(timeout):
            raise TimeoutError(f"{self.what} did not load within {timeout} s")
        return self.get()


class EncoderHandle(BackgroundLoad[SentenceEncoder]):
    """app.state.sentence_encoder: all-MiniLM-L6-v2, one per process, loading in the background."""

    def __init__(self, load: Callable[[], SentenceEncoder]) -> None:
        super().__init__(load, what="The sentence-embedding model (all-MiniLM-L6-v2)")

    def get_or_none(self) -> SentenceEncoder | None:
        """The encoder, or None while it is loading (a failed load still raises EmbeddingModelError)."""
        try:
            return self.get()
        except EncoderLoading:
            return None
