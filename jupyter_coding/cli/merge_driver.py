"""``jupyter-coding merge-driver %O %A %B [%P]``: a git merge driver for field notes.

Configure it once per clone, and name the files it merges::

    git config merge.jupyter-coding.name "field notes, merged quote by quote"
    git config merge.jupyter-coding.driver "jupyter-coding merge-driver %O %A %B %P"
    echo '*.md merge=jupyter-coding' >> .gitattributes

git calls it with the base, our and their version of a file (temporary files) and
takes what it writes into %A. Exit 0: merged cleanly; exit 1: disagreements (or
conflicts outside the traces) were marked, and git reports the file as conflicted
until it is resolved and added. Markdown that is not field notes (a README) is
merged by ``git merge-file`` as git would.
"""

from __future__ import annotations

import os
import subprocess
import sys

from jupyter_coding.cli import EXIT_FAILED, EXIT_OK, UserError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "merge-driver",
        help="git merge driver: merge field notes quote by quote (see the README)",
        description="Called by git as 'jupyter-coding merge-driver %%O %%A %%B %%P' "
        "(git config merge.jupyter-coding.driver, and '*.md merge=jupyter-coding' in "
        ".gitattributes). Writes the merge into %%A; exit 1 when disagreements were marked.",
    )
    parser.add_argument("base", metavar="O", help="the common ancestor's version (%%O)")
    parser.add_argument("ours", metavar="A", help="our version, replaced by the merge (%%A)")
    parser.add_argument("theirs", metavar="B", help="their version (%%B)")
    parser.add_argument("path", metavar="P", nargs="?", help="the file's name in the repository")
    parser.add_argument("--ours-name", help="our coder's name (default: the current branch)")
    parser.add_argument("--theirs-name", help="their coder's name (default: the merged branch)")
    parser.set_defaults(run=run)


def _git_output(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def default_names() -> tuple[str, str]:
    """(our branch, the branch merged in): git names the merged one in ``GITHEAD_<sha>``."""
    ours = _git_output("symbolic-ref", "--short", "-q", "HEAD") or "ours"
    merged = [value for key, value in os.environ.items() if key.startswith("GITHEAD_")]
    theirs = merged[0] if len(merged) == 1 else "theirs"
    return ours, theirs if theirs != ours else f"{theirs}#2"


def _looks_like_field_notes(notes) -> bool:
    return notes.header is not None or bool(notes.open_traces or notes.axial_traces)


def _merge_file(args) -> int:
    """Not field notes: git's own line merge, in place."""
    labels = ["-L", args.ours_name or "ours", "-L", "base", "-L", args.theirs_name or "theirs"]
    try:
        done = subprocess.run(["git", "merge-file", *labels, args.ours, args.base, args.theirs])
    except FileNotFoundError:
        raise UserError("git is not installed") from None
    return EXIT_OK if done.returncode == 0 else EXIT_FAILED


def run(args) -> int:
    from jupyter_coding.common.files import atomic_write
    from jupyter_coding.fieldnotes import FieldNotesError, parse, read_text
    from jupyter_coding.study.coders import merge_texts

    try:
        texts = [read_text(path) for path in (args.base, args.ours, args.theirs)]
    except FieldNotesError:
        return _merge_file(args)  # not UTF-8: not field notes either
    base, ours, theirs = texts
    if not any(_looks_like_field_notes(parse(text)) for text in texts):
        return _merge_file(args)
    names = default_names()
    names = (args.ours_name or names[0], args.theirs_name or names[1])
    result = merge_texts(ours, theirs, base, names)
    atomic_write(args.ours, result.text.encode("utf-8"))
    where = args.path or args.ours
    if result.disagreements:
        many = result.disagreements != 1
        print(
            f"{where}: {result.disagreements} disagreement{'s' * many} between {names[0]} and "
            f"{names[1]} marked for discussion ('**CODERS DISAGREE:**', check rule JC501)",
            file=sys.stderr,
        )
    if result.conflicts:
        print(f"{where}: {result.conflicts} conflicts outside the traces", file=sys.stderr)
    return EXIT_OK if result.clean else EXIT_FAILED
