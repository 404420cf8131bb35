"""glibc malloc settings for the served process: fewer arenas, large blocks handed back to the system.

A threaded server on glibc grows one malloc arena per thread that contends (up to 8 per core), each
keeping the memory it freed; and once a large block is freed, glibc raises its mmap threshold so that
later tensors of that size come from (and fragment) the heap. Two arenas and a fixed 256 KiB threshold
keep one worker's resident memory near what its models need. Both are documented glibc tunables
(mallopt(3)); `python -m app` applies them at start, and MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ in the
environment set the same (the benchmarks start uvicorn that way).
"""

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # mallopt(3) parameter numbers, from glibc's malloc.h
M_ARENA_MAX = -8
ARENA_MAX = 2
MMAP_THRESHOLD = 256 * 1024
# The same settings as environment variables (read by glibc when a process starts).
SERVED_MALLOC = {"MALLOC_ARENA_MAX": str(ARENA_MAX), "MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD)}


def tune_malloc() -> bool:
    """Apply the settings with mallopt, and put them in the environment for the processes this one starts
    (uvicorn's workers, training runs), which glibc configures from it; False where mallopt is missing."""
    for variable, value in SERVED_MALLOC.items():
        os.environ.setdefault(variable, value)
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    arena_max = _int_or(os.environ["MALLOC_ARENA_MAX"], ARENA_MAX)  # a value given by the operator wins
    threshold = _int_or(os.environ["MALLOC_MMAP_THRESHOLD_"], MMAP_THRESHOLD)
    ok = bool(mallopt(M_ARENA_MAX, arena_max)) and bool(mallopt(M_MMAP_THRESHOLD, threshold))
    if not ok:
        log.warning("mallopt refused the arena and mmap settings; glibc's defaults stay")
    return ok


def _int_or(text: str, default: int) -> int:
    try:
        return int(text)
    except ValueError:
        return default
