"""What ``rename`` and ``merge`` share: ``--dry-run``, and applying a refactoring."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from jupyter_coding.common.words import count

if TYPE_CHECKING:  # imported when a command runs, not when the CLI starts
    from jupyter_coding.study.refactor import Refactoring


def add_dry_run_argument(parser) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the unified diff of what would change, and write nothing",
    )


def apply(refactoring: Refactoring, dry_run: bool) -> int:
    """Print the diff (dry run) or write the files; notes and a summary go to stderr."""
    if dry_run:
        sys.stdout.write(refactoring.diff())
    else:
        refactoring.write()
    for note in refactoring.notes:
        print(note, file=sys.stderr)
    files = len(refactoring.changes)
    verb = "would change" if dry_run else "changed"
    print(
        f"{refactoring.description}: {verb} {count(refactoring.changed_lines, 'line')} in "
        f"{count(files, 'file')}",
        file=sys.stderr,
    )
    return 0
