"""A second coder's version of real field notes, made by editing the first coder's traces.

The edits work on the parsed blocks, so they touch nothing but the trace named, and
the quotes stay the same text (as they do between two coders of one study). Also:
real git repositories for the tests, made with ``git init`` in a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from jupyter_coding.fieldnotes import parse
from jupyter_coding.fieldnotes.lines import is_blank
from jupyter_coding.fieldnotes.reading import coding_traces


def _trace_parts(notes, line: int):
    for trace in coding_traces(notes):
        if trace.line == line:
            return trace.parts
    raise AssertionError(f"no trace at line {line}")


def _join(blocks, skip=()) -> str:
    out: list[str] = []
    for block in blocks:
        if any(block is part for part in skip):
            continue
        out.append(block.to_text())
    return "".join(out)


def _with_blank_line(text: str) -> str:
    """The text ending in a blank line, so that a paragraph can follow it."""
    if not text.endswith("\n"):
        text += "\n"
    lines = text.split("\n")
    return text if len(lines) >= 2 and is_blank(lines[-2]) else text + "\n"


def remove_trace(text: str, line: int) -> str:
    """The text without the trace that starts at ``line`` (quotes kept apart)."""
    notes = parse(text)
    parts = _trace_parts(notes, line)
    first = notes.blocks.index(parts[0])
    before = _join(notes.blocks[:first])
    after = _join(notes.blocks[first:], skip=parts)
    return _with_blank_line(before) + after if after else before


def edit_trace(text: str, line: int, old: str, new: str) -> str:
    """Replace ``old`` (once) inside the trace that starts at ``line`` only."""
    notes = parse(text)
    parts = _trace_parts(notes, line)
    first = notes.blocks.index(parts[0])
    last = notes.blocks.index(parts[-1])
    trace_text = _join(notes.blocks[first : last + 1])
    assert old in trace_text, f"{old!r} is not in the trace at line {line}"
    return (
        _join(notes.blocks[:first])
        + trace_text.replace(old, new, 1)
        + _join(notes.blocks[last + 1 :])
    )


def trace_text(source: str, codes: list[str], definitions: tuple[str, ...] = ()) -> str:
    """An open and axial trace in the corpus's layout attaching ``codes`` to ``source``."""
    added = "".join(f"added:\n``` python\n{d}\n```\n" for d in definitions)
    items = ",\n".join(f"        {code}" for code in codes)
    return (
        f"**OPEN CODING TRACE:**\n\nFamiliar option: {', '.join(codes)}\n\n"
        f"**AXIAL CODING TRACE:**\n\n{added}add codes to {source}: \n``` python \n"
        f"    '''\n{items}\n    '''\n```\n\n"
    )


def add_trace(text: str, quote_line: int, trace: str) -> str:
    """Insert ``trace`` right after the quote paragraph at ``quote_line``."""
    notes = parse(text)
    index = next(
        i for i, b in enumerate(notes.blocks) if b.kind == "quote" and b.line == quote_line
    )
    before = _join(notes.blocks[: index + 1])
    return _with_blank_line(before) + trace + _join(notes.blocks[index + 1 :])


# -- git ---------------------------------------------------------------------------------


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run git in ``repo`` with a fixed identity and no user or system configuration."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Coder",
        "GIT_AUTHOR_EMAIL": "coder@example.org",
        "GIT_COMMITTER_NAME": "Coder",
        "GIT_COMMITTER_EMAIL": "coder@example.org",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}{done.stdout}")
    return done


def new_repository(path: Path, files: dict[str, str]) -> Path:
    """A git repository at ``path`` whose first commit on ``main`` holds ``files``."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    commit(path, files, "the study")
    return path


def commit(repo: Path, files: dict[str, str], message: str) -> None:
    """Write ``files`` (relative path -> text, exact bytes) and commit them."""
    for relative, text in files.items():
        target = repo / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
