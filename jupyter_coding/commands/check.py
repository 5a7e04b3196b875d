"""``jupyter-coding check PATH...``: the study-wide consistency rules, like a linter."""

from __future__ import annotations

import sys
from collections import Counter

from ..checks import CheckConfig, ConfigError, check_paths, rule_table
from ..cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UserError
from ._common import add_format_argument, print_json, study_files


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the study: undefined and near-duplicate codes, memo vs axial, metadata",
        description="Run the study-wide rules over every field-notes file and print one "
        "finding a line, 'path:line:col: ID message', sorted. Exit 1 when there are "
        "findings, 0 when clean. Configuration: [tool.jupyter-coding] in the nearest "
        "pyproject.toml above the paths.",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="field-notes files, or folders holding *.md"
    )
    add_format_argument(parser)
    parser.add_argument(
        "--select",
        action="append",
        metavar="RULES",
        help="only these rules: ids, id prefixes or names, comma-separated (replaces the "
        "configured selection)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        metavar="RULES",
        help="leave out these rules (added to the configured ones)",
    )
    parser.add_argument(
        "--config", metavar="PYPROJECT", help="read [tool.jupyter-coding] from this file"
    )
    parser.add_argument(
        "--model",
        metavar="FILE",
        help="also compare a CodeableModels python module with the notes (rules JC9xx)",
    )
    parser.add_argument(
        "--statistics", action="store_true", help="print how many findings each rule has"
    )
    parser.add_argument("--rules", action="store_true", help="list the rules and exit")
    parser.set_defaults(run=run)


def _selectors(values: list[str] | None) -> list[str]:
    return [item.strip() for value in values or () for item in value.split(",") if item.strip()]


def run(args) -> int:
    if args.rules:
        for rule_id, name, summary in rule_table():
            print(f"{rule_id}  {name:<24} {summary}")
        return EXIT_OK
    if not args.paths:
        raise UserError("give the field-notes files or folders to check", EXIT_USAGE)
    try:
        config = (
            CheckConfig.from_pyproject(args.config)
            if args.config
            else CheckConfig.for_paths(args.paths)
        )
        config = config.with_options(_selectors(args.select), _selectors(args.ignore))
    except ConfigError as error:
        raise UserError(str(error), EXIT_USAGE) from None
    try:
        findings = check_paths(study_files(args.paths), config, model=args.model)
    except ImportError as error:  # the interop module of --model
        raise UserError(f"--model needs jupyter_coding.interop: {error}") from None
    if args.format == "json":
        print_json([finding.as_dict() for finding in findings])
    elif args.statistics:
        counts = Counter((finding.rule, finding.name) for finding in findings)
        for (rule_id, name), count in sorted(counts.items()):
            print(f"{count:>6}  {rule_id}  {name}")
    else:
        for finding in findings:
            print(finding.format())
    if findings and args.format == "text":
        files = len({finding.path for finding in findings})
        print(f"{_count(len(findings), 'finding')} in {_count(files, 'file')}", file=sys.stderr)
    if args.model and args.format == "text" and not any(f.rule.startswith("JC9") for f in findings):
        print(f"no drift: {args.model} and the field notes agree", file=sys.stderr)
    return EXIT_FAILED if findings else EXIT_OK


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"
