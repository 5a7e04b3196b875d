"""``jupyter-coding export {qdc,qdpx,codeable-models} PATH... -o FILE``"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jupyter_coding.cli import EXIT_USAGE, UserError
from jupyter_coding.cli._common import (
    add_paths_argument,
    check_output,
    read_all,
    study_files,
    write_output,
)
from jupyter_coding.common.words import count
from jupyter_coding.interop.common import NothingToExport
from jupyter_coding.study.sources import sources_to_export

FORMATS = {
    "qdc": "the study codebook as a REFI-QDA codebook (.qdc)",
    "qdpx": "the whole study as a REFI-QDA project (.qdpx)",
    "codeable-models": "the sources and their codes as a CodeableModels module (.py)",
}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the study as a REFI-QDA codebook or project, or a CodeableModels module",
        description="Exports are build products of the field notes: regenerate them, never "
        "edit them. The same field notes always give the same bytes.",
    )
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
    for name, help_text in FORMATS.items():
        sub = formats.add_parser(name, help=help_text, description=help_text)
        add_paths_argument(sub)
        sub.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="FILE",
            help="file to write ('-' for standard output)",
        )
        if name == "qdpx":
            sub.add_argument(
                "--user",
                default="jupyter_coding",
                help="the user every coding is credited to (default jupyter_coding)",
            )
            sub.add_argument(
                "--name", help="project name (default: the folder holding the field notes)"
            )
        if name == "codeable-models":
            sub.add_argument(
                "--codes-module",
                metavar="MODULE",
                help="module defining the study's codes, imported with * (a dotted name, "
                "e.g. codes_model)",
            )
            sub.add_argument(
                "--metamodel-module",
                metavar="MODULE",
                default="metamodels.GT_coding",
                help="module the 'source' metaclass comes from (a dotted name; default "
                "metamodels.GT_coding)",
            )
            sub.add_argument(
                "--metamodel",
                metavar="FILE",
                help="the study's metamodel, whose types the values must have (default: "
                "[tool.jupyter-coding] metamodel, else the --metamodel-module's file in a "
                "folder above the notes, the output or the codes module)",
            )
        sub.set_defaults(run=run)


def _check_output(output: str, paths: list[str]) -> None:
    """Refuse to write over a field-notes file: an export never replaces the source of truth."""
    if output == "-":
        return
    check_output(output)
    target = Path(output)
    if target.suffix.lower() in (".md", ".ipynb"):
        raise UserError(f"{output}: will not write an export over a field-notes or notebook file")
    if target.exists():
        inputs = {os.path.realpath(path) for path in study_files(paths)}
        if os.path.realpath(target) in inputs:
            raise UserError(f"{output}: is one of the field-notes files being exported")


def _check_modules(args) -> None:
    """``--codes-module`` and ``--metamodel-module`` go into an import line: names only."""
    from jupyter_coding.interop.codeable_models import is_module_name

    for option, value in (
        ("--codes-module", getattr(args, "codes_module", None)),
        ("--metamodel-module", getattr(args, "metamodel_module", None)),
    ):
        if value is not None and not is_module_name(value):
            raise UserError(
                f"{option} {value!r}: not a dotted module name (identifiers joined by dots, "
                "e.g. codes_model or metamodels.GT_coding)",
                EXIT_USAGE,
            )


def _write(output: str, data: bytes) -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_output(output, data)


def _report(output: str, data: bytes, what: str) -> None:
    # the summary goes to stderr when the export itself goes to stdout
    stream = sys.stderr if output == "-" else sys.stdout
    name = "standard output" if output == "-" else output
    print(f"wrote {name} ({len(data):,} bytes): {what}", file=stream)


def _project_name(paths: list[str]) -> str:
    folders = [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths]
    common = Path(os.path.commonpath([str(f) for f in folders]))
    return common.name or "study"


def run(args) -> int:
    _check_modules(args)
    _check_output(args.output, args.paths)
    notes = [parsed for _, _, parsed in read_all(args.paths, "exporting")]
    for warning in sources_to_export(notes).warnings:
        print(f"jupyter-coding export: warning: {warning}", file=sys.stderr)
    try:
        data, summary = _export(args, notes)
    except NothingToExport as error:
        raise UserError(str(error)) from None
    _write(args.output, data)
    _report(args.output, data, summary)
    return 0


def _export(args, notes) -> tuple[bytes, str]:
    if args.format == "qdc":
        from jupyter_coding.interop.refi_qda import exported_codes, write_qdc
        from jupyter_coding.study.codebook import Codebook

        codebook = Codebook.from_notes(notes)
        data = write_qdc(codebook)
        summary = (
            f"{count(len(exported_codes(codebook)), 'code')}, "
            f"{count(len(codebook.metaclasses()), 'category', 'categories')}"
        )
    elif args.format == "qdpx":
        from jupyter_coding.interop.refi_qda import export_project

        project = export_project(notes, args.user, args.name or _project_name(args.paths))
        data = project.data
        summary = (
            f"{count(project.sources, 'source')}, {count(project.codes, 'code')}, "
            f"{count(project.codings, 'coding')}, {count(project.memos, 'memo')}, "
            f"{count(project.links, 'link')}"
        )
    else:
        data, summary = _codeable_models(args, notes)
    return data, summary


def _codeable_models(args, notes) -> tuple[bytes, str]:
    """The sources-and-codes module: typed by the study's metamodel, defining missing codes."""
    from dataclasses import replace

    from jupyter_coding.interop.codeable_models import (
        code_definitions,
        render_model,
        source_entries,
    )
    from jupyter_coding.study.checks import CheckConfig, ConfigError
    from jupyter_coding.study.codebook import Codebook
    from jupyter_coding.study.model_check import decisions_with_options, module_names
    from jupyter_coding.study.tables import paper_codes

    output_folder = Path.cwd() if args.output == "-" else Path(args.output).resolve().parent
    starts = [Path.cwd(), output_folder, *args.paths]
    imported: set[str] = set()
    codes_file = None
    if args.codes_module:
        codes_file, imported = module_names(args.codes_module, starts)
    try:
        config = CheckConfig.for_paths(args.paths)
    except ConfigError as error:
        raise UserError(str(error)) from None
    if args.metamodel:
        if not Path(args.metamodel).is_file():
            raise UserError(f"{args.metamodel}: the metamodel is not there")
        config = replace(config, metamodel=args.metamodel)
    vocabulary = config.vocabulary(
        [*args.paths, output_folder, *([codes_file] if codes_file else [])],
        args.metamodel_module,
    )
    entries = source_entries(notes, vocabulary)
    for entry in entries:
        for key, value, why in entry.left_out:
            line = entry.header_lines.get(key, 2)
            print(
                f"jupyter-coding export: warning: {entry.path}:{line}: {key!r} {value!r} left "
                f"out of the model: {why}",
                file=sys.stderr,
            )
    codes = paper_codes(Codebook.from_notes(notes))
    definitions = code_definitions(codes, imported, vocabulary)
    unevidenced = []
    if codes_file is not None:
        applied = {code.identifier for code in codes}
        unevidenced = [d for d in decisions_with_options(codes_file) if d not in applied]
        for name in unevidenced:
            print(
                f"jupyter-coding export: warning: {codes_file}: decision {name} has options but "
                "no field notes apply it: left out of the model (the study's overview table "
                "cannot shade a decision without evidence)",
                file=sys.stderr,
            )
    text = render_model(
        entries, args.codes_module, args.metamodel_module, definitions, vocabulary, unevidenced
    )
    links = sum(len(e.codes) for e in entries)
    summary = (
        f"{count(len(entries), 'source')}, {count(len(definitions), 'code')} defined, "
        f"{count(links, 'source-code link')}"
    )
    if args.codes_module:
        summary += f", the other codes from {args.codes_module}"
    return text.encode("utf-8"), summary
