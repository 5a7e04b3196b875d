"""``jupyter-coding rename OLD NEW PATH...``: rename a code across the study."""

from __future__ import annotations

from jupyter_coding.cli._common import add_paths_argument, study_files
from jupyter_coding.cli._refactoring import add_dry_run_argument, apply


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "rename",
        help="rename a code in every definition, use, relation and memo list",
        description="Rename code OLD to NEW in the traces of every file: definitions, uses, "
        "'add codes to' lists, relation ends and memo code lists. Quotes, headers, labels "
        "and everything else stay byte for byte. Refused when NEW is already defined (use "
        "merge). Files are written atomically.",
    )
    parser.add_argument("old", metavar="OLD", help="the code's identifier now")
    parser.add_argument("new", metavar="NEW", help="its new identifier")
    add_paths_argument(parser)
    add_dry_run_argument(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from jupyter_coding.study.refactor import plan_rename

    return apply(plan_rename(study_files(args.paths), args.old, args.new), args.dry_run)
