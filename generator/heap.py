"""Making many long-lived objects at once: the build cache's, the archive's."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived() -> Iterator[None]:
    """For a block that makes hundreds of thousands of objects kept for the whole build: the
    cyclic garbage collector would scan them again and again while they are made (3 of the
    4.5 s that loading the cache took at 251k cables), and once more as soon as it runs
    again (1 s). They make no cycles, so it is paused, and they are frozen: left out of
    collections (refcounting still frees them). A worker pool unfreezes everything when it
    ends (parallel.map_chunks); they then sit in the oldest generation, which is collected
    again only once a quarter as many new objects have joined it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
