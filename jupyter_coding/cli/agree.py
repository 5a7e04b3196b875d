"""``jupyter-coding agree A B [C...]``: how far coders agree, quote by quote."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jupyter_coding.cli import EXIT_USAGE, UserError
from jupyter_coding.cli._common import print_json

FORMATS = ("text", "json", "html")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "agree",
        help="agreement of coders' versions of a study: kappa, alpha, the disagreements",
        description="Compare two or more coders' versions of a study quote by quote: percent "
        "agreement, Cohen's kappa (two coders) and Krippendorff's alpha, overall and per "
        "code, the disagreements (most frequent first) and how the codebooks differ. Each "
        "VERSION is a folder or file, or a git revision of one (coder-b:study/, read from "
        "the current repository without a checkout). Quotes no coder coded are left out.",
    )
    parser.add_argument(
        "versions", nargs="+", metavar="VERSION", help="a folder, a file, or REV:PATH"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: from the -o suffix, .html or .json, else text)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (FILE.html: a page)")
    parser.add_argument(
        "--names",
        metavar="A,B",
        help="the coders' names, comma-separated (default: the revisions, or the folders' names)",
    )
    parser.add_argument("--title", default="Coder agreement", help="the HTML page's title")
    parser.set_defaults(run=run)


def _format(args) -> str:
    if args.format:
        return args.format
    suffix = Path(args.output).suffix.lower() if args.output else ""
    return {".html": "html", ".htm": "html", ".json": "json"}.get(suffix, "text")


def run(args) -> int:
    from jupyter_coding.common.files import atomic_write
    from jupyter_coding.study.agreement_report import as_dict, html_page, text_report
    from jupyter_coding.study.compare_coders import compare_versions
    from jupyter_coding.study.gitstudy import read_versions

    if len(args.versions) < 2:
        raise UserError("give two versions of the study or more, one per coder", EXIT_USAGE)
    names = [name.strip() for name in args.names.split(",")] if args.names else None
    comparison = compare_versions(read_versions(args.versions, names))
    output_format = _format(args)
    if output_format == "html":
        text = html_page(comparison, args.title)
    elif output_format == "json":
        text = json.dumps(as_dict(comparison), indent=2, ensure_ascii=False) + "\n"
    else:
        text = text_report(comparison)
    if args.output:
        atomic_write(args.output, text.encode("utf-8"))
        print(f"wrote {args.output}", file=sys.stderr)
    elif output_format == "json":
        print_json(as_dict(comparison))
    else:
        sys.stdout.write(text)
    return 0
