"""A dependency-free progress bar on stderr, shown only for long runs on a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from typing import TypeVar

__all__ = ["progress"]

T = TypeVar("T")

MIN_ITEMS = 50  # fewer files finish before a bar would be worth reading


def progress(items: Sequence[T], label: str, stream=None) -> Iterator[T]:
    """Yield ``items``, drawing ``label [####    ] 12/345`` on a terminal's stderr."""
    stream = stream if stream is not None else sys.stderr
    total = len(items)
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
