"""Chunked work spread over forked worker processes, shared by import and build."""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any


def chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def map_chunks(function: Callable[[list], Any], chunked: Iterable[list], jobs: int, *,
               setup: Callable[..., None] | None = None, setup_args: tuple = ()
               ) -> Iterator[Any]:
    """`function` over each chunk, results in order; in worker processes when jobs > 1.

    Workers are forked, so they share what the caller set up before (the build's archive).
    With `setup`, they are fresh processes instead (spawned), sharing nothing, each
    prepared by `setup(*setup_args)`: for work that needs little of the caller's memory, which
    a forked worker would map, and whose pages it would copy as it frees its own objects.
    Only a few chunks per worker are in flight, so a streamed input (a 1.7 GB CSV) is never
    read ahead into memory.
    """
    if jobs <= 1:
        if setup is not None:
            setup(*setup_args)
        yield from map(function, chunked)
        return
    if setup is None:
        # The parent's objects (the archive) are shared with the workers page by page until
        # written; a worker's garbage collector would write to every one of them, copying all
        # those pages into every worker. Frozen objects are left alone by the collector.
        gc.freeze()
        pool = multiprocessing.get_context("fork").Pool(jobs)
    else:
        # Spawned, not forkserver: they are then our own children, so their CPU time and
        # memory count in ours (a forkserver's children are nobody's once we exit).
        pool = multiprocessing.get_context("spawn").Pool(
            jobs, initializer=setup, initargs=setup_args)
    try:
        with pool:
            pending: deque = deque()
            for chunk in chunked:
                pending.append(pool.apply_async(function, (chunk,)))
                while len(pending) >= 3 * jobs:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        if setup is None:
            gc.unfreeze()


@contextmanager
def aside(function: Callable[..., Any], *args: Any) -> Iterator[Callable[[], Any]]:
    """`function(*args)` in a forked process while the caller goes on: yields a function that
    waits for its result (raising what it raised). The process is gone after the block."""
    pool = multiprocessing.get_context("fork").Pool(1)
    try:
        yield pool.apply_async(function, args).get
    finally:
        pool.terminate()
