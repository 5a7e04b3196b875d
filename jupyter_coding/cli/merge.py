"""``jupyter-coding merge A B INTO PATH...``: make two codes one."""

from __future__ import annotations

from jupyter_coding.cli._common import add_paths_argument, study_files
from jupyter_coding.cli._refactoring import add_dry_run_argument, apply


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "merge",
        help="merge two codes into one (uses renamed, one definition kept)",
        description="Make codes A and B one code called INTO (often A or B itself): every "
        "use, relation end and memo list item is renamed, repeats in one list dropped, and "
        "one definition is kept (INTO's own, else the first in coding order); the other "
        "one-line definitions are removed. Refused when the codes' metaclasses differ.",
    )
    parser.add_argument("first", metavar="A", help="a code to merge")
    parser.add_argument("second", metavar="B", help="the other code to merge")
    parser.add_argument("into", metavar="INTO", help="the merged code's identifier")
    add_paths_argument(parser)
    add_dry_run_argument(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from jupyter_coding.study.refactor import plan_merge

    files = study_files(args.paths)
    return apply(plan_merge(files, [args.first, args.second], args.into), args.dry_run)
