"""``jupyter-coding stats PATH...``"""

from __future__ import annotations

from jupyter_coding.cli._common import add_format_argument, add_paths_argument, print_json, read_all
from jupyter_coding.study.stats import file_stats, format_table, total_stats


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="count sources, quotes, traces, definitions, relations and codes",
        description="Per file and in total: sources, quote paragraphs, open and axial traces, "
        "code definitions by metaclass, relations, codes attached, distinct identifiers.",
    )
    add_paths_argument(parser)
    add_format_argument(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    per_file = [file_stats(notes) for _, _, notes in read_all(args.paths)]
    total = total_stats(per_file)
    if args.format == "json":
        print_json({"files": [s.as_dict() for s in per_file], "total": total.as_dict()})
    else:
        print(format_table(per_file, total))
    return 0
