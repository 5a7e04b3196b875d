"""Work on many independent files on every core, with the results in the files' order.

Commands that read a whole study (``verify``, ``check``, the codebook and the report)
do the same work for each file: :func:`map_in_order` hands the files to worker
processes in chunks and gives the results back in the order of the files, so what a
command prints is what one process would print. Few files are done in this process
(starting workers would cost more than it saves).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from jupyter_coding.fieldnotes import FieldNotesError

__all__ = ["CHUNK", "PARALLEL_FROM", "map_in_order", "workers"]

T = TypeVar("T")
R = TypeVar("R")

# files per task of a worker process, and the fewest files worth starting workers for
CHUNK = 48
PARALLEL_FROM = 4 * CHUNK


def workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_method() -> str:
    """``fork`` (workers start at once), unless this process runs other threads.

    Forking a process that runs other threads (a Jupyter kernel) can leave a worker
    holding a lock forever: such a process starts fresh workers instead.
    """
    return "fork" if threading.active_count() == 1 and hasattr(os, "fork") else "spawn"


def _apply_chunk(function: Callable, items: Sequence, extra: tuple) -> list[tuple[bool, object]]:
    """(True, result) or (False, the FieldNotesError it raised) for each item."""
    results: list[tuple[bool, object]] = []
    for item in items:
        try:
            results.append((True, function(item, *extra)))
        except FieldNotesError as error:
            results.append((False, error))
    return results


def map_in_order(
    function: Callable[..., R],
    items: Sequence[T],
    *extra,
    chunk: int | None = None,
    parallel_from: int | None = None,
) -> Iterator[R]:
    """``function(item, *extra)`` for each item, in order, on every core for many items.

    ``function`` must be a module-level function (workers import it by name) and its
    results picklable. A :class:`FieldNotesError` it raises for an item is raised here
    in that item's turn, after the results of the items before it; the items not
    started yet are dropped.
    """
    chunk = chunk or CHUNK
    parallel_from = PARALLEL_FROM if parallel_from is None else parallel_from
    chunks = [items[start : start + chunk] for start in range(0, len(items), chunk)]
    count = min(workers(), len(chunks))
    if len(items) < parallel_from or count < 2:
        for part in chunks:
            yield from _unpack(_apply_chunk(function, part, extra))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(_start_method())
    pool = ProcessPoolExecutor(count, mp_context=context)
    try:
        for results in pool.map(
            _apply_chunk, [function] * len(chunks), chunks, [extra] * len(chunks)
        ):
            yield from _unpack(results)
    finally:  # stopped early (an unreadable file): the chunks not started are dropped
        pool.shutdown(wait=True, cancel_futures=True)


def _unpack(results: list[tuple[bool, object]]) -> Iterator:
    for ok, value in results:
        if not ok:
            raise value  # type: ignore[misc]
        yield value
