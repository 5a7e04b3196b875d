"""``jupyter-coding check PATH...``: the study-wide consistency rules, like a linter."""

from __future__ import annotations

import sys
from collections import Counter

from jupyter_coding.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UserError
from jupyter_coding.cli._common import add_format_argument, print_json, study_files
from jupyter_coding.common.words import count
from jupyter_coding.study.checks import (
    CheckConfig,
    ConfigError,
    check_paths,
    rule_markdown,
    rule_table,
)
from jupyter_coding.study.fixes import plan_fixes


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the study: undefined and near-duplicate codes, memo vs axial, metadata",
        description="Run the study-wide rules over every field-notes file and print one "
        "finding a line, 'path:line:col: ID message', sorted. Exit 1 when there are "
        "error or warning findings, 0 otherwise (info findings do not fail). "
        "Configuration: [tool.jupyter-coding] in the nearest pyproject.toml above the paths.",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="field-notes files, or folders holding *.md"
    )
    add_format_argument(parser, ("text", "json", "markdown"))
    parser.add_argument(
        "--select",
        action="append",
        metavar="RULES",
        help="only these rules: ids, id prefixes or names, comma-separated (replaces the "
        "configured selection); info rules run only when named by id or name",
    )
    parser.add_argument(
        "--extend-select",
        action="append",
        metavar="RULES",
        help="run these rules too (added to the selection), e.g. the info rules JC107,JC108",
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
        help="also compare a CodeableModels python module with the notes (rules JC9xx); "
        "its source values tell which side of a header/CClass mismatch is right",
    )
    parser.add_argument(
        "--statistics", action="store_true", help="print how many findings each rule has"
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="print the unified diff that fixes the findings with one unambiguous repair "
        "(nothing is written without --write)",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="with --fix: write the fixes (atomically; a file changed since it was "
        "checked is refused), then check again",
    )
    parser.add_argument(
        "--rules",
        action="store_true",
        help="list the rules and exit (--format markdown: the README's rule table)",
    )
    parser.set_defaults(run=run)


def _print_rules(output_format: str) -> None:
    if output_format == "markdown":
        sys.stdout.write(rule_markdown())
    elif output_format == "json":
        keys = ("id", "name", "severity", "finds")
        print_json([dict(zip(keys, row, strict=True)) for row in rule_table()])
    else:
        for rule_id, name, severity, summary in rule_table():
            print(f"{rule_id}  {name:<24} {severity:<8} {summary}")


def _selectors(values: list[str] | None) -> list[str]:
    return [item.strip() for value in values or () for item in value.split(",") if item.strip()]


def run(args) -> int:
    if args.rules:
        _print_rules(args.format)
        return EXIT_OK
    if args.format == "markdown":
        raise UserError("--format markdown is for --rules (findings: text or json)", EXIT_USAGE)
    if not args.paths:
        raise UserError("give the field-notes files or folders to check", EXIT_USAGE)
    if args.write and not args.fix:
        raise UserError("--write writes fixes: give it with --fix", EXIT_USAGE)
    try:
        config = (
            CheckConfig.from_pyproject(args.config)
            if args.config
            else CheckConfig.for_paths(args.paths)
        )
        config = config.with_options(
            _selectors(args.select), _selectors(args.ignore), _selectors(args.extend_select)
        )
    except ConfigError as error:
        raise UserError(str(error), EXIT_USAGE) from None
    findings = _check(args, config)
    if args.fix:
        plan = plan_fixes(findings)
        for finding, why in plan.skipped:
            print(f"{finding.path}:{finding.line}: not fixed: {why}", file=sys.stderr)
        fixes = count(len(plan.applied), "fix", "fixes")
        files = count(len(plan.changes), "file")
        if not args.write:
            sys.stdout.write(plan.diff())
            print(
                f"{fixes} in {files}; nothing written (write them with --fix --write)",
                file=sys.stderr,
            )
            return EXIT_FAILED if _failing(findings) else EXIT_OK
        plan.write()
        print(f"{fixes} written to {files}", file=sys.stderr)
        findings = _check(args, config)
    if args.format == "json":
        print_json([finding.as_dict() for finding in findings])
    elif args.statistics:
        counts = Counter((finding.rule, finding.name) for finding in findings)
        for (rule_id, name), number in sorted(counts.items()):
            print(f"{number:>6}  {rule_id}  {name}")
    else:
        for finding in findings:
            print(finding.format())
    if findings and args.format == "text":
        files = len({finding.path for finding in findings})
        fixable = sum(1 for finding in findings if finding.fix is not None)
        hint = f" ({fixable} with a fix: see --fix)" if fixable else ""
        print(
            f"{count(len(findings), 'finding')} in {count(files, 'file')}{hint}",
            file=sys.stderr,
        )
    if args.model and args.format == "text" and not any(f.rule.startswith("JC9") for f in findings):
        print(f"no drift: {args.model} and the field notes agree", file=sys.stderr)
    return EXIT_FAILED if _failing(findings) else EXIT_OK


def _failing(findings) -> bool:
    """Errors and warnings fail a run; info findings do not."""
    return any(finding.severity != "info" for finding in findings)


def _check(args, config: CheckConfig):
    try:
        return check_paths(study_files(args.paths), config, model=args.model)
    except ImportError as error:  # the interop module of --model
        raise UserError(f"--model needs jupyter_coding.interop: {error}") from None
