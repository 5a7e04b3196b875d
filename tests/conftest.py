"""Shared fixtures: the real corpus and the seed, read-only from ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# every notebook the tests write (in this process and in the commands they run) is
# validated against nbformat's schema; commands outside the tests skip it for speed
os.environ["JUPYTER_CODING_VALIDATE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "data_as_a_product"
SEED = SHARED / "seed" / "000_3cfeaea0a03c6785.txt"
EXAMPLES = ROOT / "examples" / "study"


def corpus_files() -> list[Path]:
    """The 69 real field-notes files. A missing corpus is a failure, never a skip."""
    files = sorted(CORPUS.glob("*.md"))
    assert len(files) == 69, f"expected the 69 corpus files in {CORPUS}, found {len(files)}"
    return files


def real_files() -> list[Path]:
    return [*corpus_files(), SEED]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    corpus_files()
    return CORPUS


@pytest.fixture(scope="session")
def seed_path() -> Path:
    assert SEED.is_file(), f"the seed file is missing: {SEED}"
    return SEED


def read_exact(path: Path) -> str:
    return path.read_bytes().decode("utf-8")
