"""Chunked work spread over forked worker processes, shared by import and build."""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any


def chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def map_chunks(function: Callable[[list], Any], chunked: Iterable[list], jobs: int
               ) -> Iterator[Any]:
    """`function` over each chunk, results in order; in forked workers when jobs > 1.

    Workers are forked, so they share what the caller set up before (the build's archive).
    Only a few chunks per worker are in flight, so a streamed input (a 1.7 GB CSV) is never
    read ahead into memory.
    """
    if jobs <= 1:
        yield from map(function, chunked)
        return
    # The parent's objects (the archive) are shared with the workers page by page until
    # written; a worker's garbage collector would write to every one of them, copying all those
    # pages into every worker. Frozen objects are left alone by the collector.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            pending: deque = deque()
            for chunk in chunked:
                pending.append(pool.apply_async(function, (chunk,)))
                while len(pending) >= 3 * jobs:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        gc.unfreeze()
