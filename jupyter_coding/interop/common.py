"""What the exchange formats share: which sources a study exports, and paths."""

from __future__ import annotations

import os
from collections.abc import Iterable

__all__ = [
    "NothingToExport",
    "display_paths",
]


class NothingToExport(ValueError):
    """The field notes hold nothing the format can carry (no sources, or no codes)."""


def display_paths(paths: Iterable[str]) -> dict[str, str]:
    """Each path relative to the folder the paths share: ``s_6.md``, ``study/p_1.md``.

    Exports name files this way so that they do not depend on where they were run.
    """
    paths = list(dict.fromkeys(paths))
    if not paths:
        return {}
    folders = [os.path.dirname(os.path.abspath(path)) for path in paths]
    try:
        base = os.path.commonpath(folders)
    except ValueError:  # different drives
        return {path: path for path in paths}
    return {
        path: os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/") for path in paths
    }
