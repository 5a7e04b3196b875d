"""``jupyter-coding verify PATH...``"""

from __future__ import annotations

import sys

from jupyter_coding.cli._common import add_paths_argument, study_files
from jupyter_coding.cli._notebooks import import_nbformat_quickly
from jupyter_coding.common.words import count


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check that every file would come back byte for byte",
        description="Parse each file and write it back in memory, and also take it through "
        "its notebook (markdown -> notebook -> JSON text -> notebook -> markdown); report "
        "every file that would not come back byte for byte, with the first differing line. "
        "Exit 1 if any.",
    )
    add_paths_argument(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    parser.set_defaults(run=run)


def run(args) -> int:
    import_nbformat_quickly()  # should notebooks be validated ($JUPYTER_CODING_VALIDATE)
    from jupyter_coding.common.progress import progress
    from jupyter_coding.notebooks.verify import verify_files

    paths = [str(path) for path in study_files(args.paths)]
    total = exact = 0
    for verdicts in progress(verify_files(paths), "verifying", total=len(paths)):
        total += 1
        for verdict in verdicts:
            if verdict.warning:
                print(f"{verdict.path}:1: warning: {verdict.warning}", file=sys.stderr)
        if all(verdict.exact for verdict in verdicts):
            exact += 1
        for verdict in verdicts:
            if not verdict.exact:
                print(verdict.message())
    print(f"{count(total, 'file')}, {exact} exact")
    return 0 if exact == total else 1
