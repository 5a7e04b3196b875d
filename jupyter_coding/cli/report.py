"""``jupyter-coding report PATH... -o report.html``: one self-contained HTML report."""

from __future__ import annotations

import sys

from jupyter_coding.cli import UserError
from jupyter_coding.cli._common import add_paths_argument, check_output, read_all


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write an HTML report: frequencies, co-occurrence, relations, saturation",
        description="Write one self-contained HTML file with the figures embedded: code "
        "frequencies, code co-occurrence across traces, the relations as a graph (the axial "
        "model) and the saturation curve (new codes per source in coding order). Needs "
        "matplotlib (pip install 'jupyter_coding[report]').",
    )
    add_paths_argument(parser)
    parser.add_argument(
        "-o", "--output", metavar="FILE", default="report.html", help="default report.html"
    )
    parser.add_argument("--title", default="Coding report", help="the report's title")
    parser.add_argument(
        "--order",
        choices=("study", "paths"),
        default="study",
        help="sources in coding order (s1 … then p1 …; default) or in the order of the paths",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from jupyter_coding.study.reports import MatplotlibMissing, Study, write_html_report

    check_output(args.output)
    notes = (parsed for _, _, parsed in read_all(args.paths))
    study = Study.from_notes(notes, order=args.order)
    try:
        write_html_report(study, args.output, title=args.title)
    except MatplotlibMissing as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"{args.output}: {error.strerror or error}") from None
    print(f"report written to {args.output}", file=sys.stderr)
    return 0
