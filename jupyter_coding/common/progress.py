"""A dependency-free progress bar on stderr, shown only for long runs on a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

__all__ = ["progress"]

T = TypeVar("T")

MIN_ITEMS = 50  # fewer files finish before a bar would be worth reading


def progress(
    items: Sequence[T] | Iterable[T], label: str, stream=None, total: int | None = None
) -> Iterator[T]:
    """Yield ``items``, drawing ``label [####    ] 12/345`` on a terminal's stderr.

    ``total``: how many there are, for items that have no length (a generator).
    """
    stream = stream if stream is not None else sys.stderr
    total = len(items) if total is None else total
    show = total >= MIN_ITEMS and getattr(stream, "isatty", lambda: False)()
    last_draw = 0.0
    for done, item in enumerate(items, 1):
        yield item
        if show and (time.monotonic() - last_draw > 0.1 or done == total):
            last_draw = time.monotonic()
            filled = int(30 * done / total)
            stream.write(f"\r{label} [{'#' * filled}{' ' * (30 - filled)}] {done}/{total}")
            stream.flush()
    if show:
        stream.write("\n")
        stream.flush()
