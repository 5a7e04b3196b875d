"""How names of codes compare: one key for an identifier, a label or a memo phrase.

``data_catalogue``, ``Data Catalogue``, ``data-catalogs`` and ``Data catalog`` are one
code to a researcher; :func:`name_key` makes them one key. Everything that matches a
written name against the codebook (memo readings, near-duplicate checks, "did you
mean") uses these functions, so they agree on what "the same name" is.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["name_key", "normalise", "spelling_key"]

_SEPARATORS = re.compile(r"[\s\-_]+")
_NOT_WORD = re.compile(r"[\W_]+")

# British -> American endings and words the field writes both ways; each pattern is
# anchored at a word end, so none can backtrack over a long word more than once
_SPELLINGS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"isation", "ization"),
        (r"ise(s|d)?$", r"ize\1"),
        (r"ising$", "izing"),
        (r"yse(s|d)?$", r"yze\1"),
        (r"ogue$", "og"),
        (r"ogues$", "ogs"),
        (r"our$", "or"),
        (r"ours$", "ors"),
        (r"(?<=[a-z])re$", "er"),
        (r"lling$", "ling"),
        (r"lled$", "led"),
    )
)


@lru_cache(maxsize=65536)
def normalise(identifier: str) -> str:
    """Lower case, with spaces, hyphens and underscores as one ``_``."""
    return _SEPARATORS.sub("_", identifier.strip().lower())


def _word_key(word: str) -> str:
    for pattern, replacement in _SPELLINGS:
        word = pattern.sub(replacement, word)
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def spelling_key(identifier: str) -> str:
    """A key equal for British/American spellings and singular/plural of each word."""
    return "_".join(_word_key(word) for word in normalise(identifier).split("_"))


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """The key under which an identifier, a label and a memo phrase name the same code.

    Case, spaces, underscores, hyphens and other punctuation (``CI/CD``) do not count,
    nor do plural endings and British/American spellings: ``Data Catalogues``,
    ``data_catalog`` and ``data-catalogue`` share the key ``data_catalog``.
    """
    words = _NOT_WORD.sub(" ", text.lower()).split()
    return "_".join(_word_key(word) for word in words)
