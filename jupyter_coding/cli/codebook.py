"""``jupyter-coding codebook PATH...``: every code of the study, as markdown, CSV or JSON."""

from __future__ import annotations

import csv
import io
import sys
from typing import TYPE_CHECKING

from jupyter_coding.cli._common import (
    add_format_argument,
    add_paths_argument,
    check_output,
    read_all,
    write_output,
)
from jupyter_coding.common.words import count

if TYPE_CHECKING:  # the reports module is imported when the command runs
    from jupyter_coding.study.reports import CodebookEntry

# columns of the markdown and CSV tables
COLUMNS = (
    "code",
    "metaclass",
    "label",
    "defined at",
    "definitions",
    "sources",
    "uses",
    "relations",
    "first evidence",
    "evidence at",
)
QUOTE_CHARS = 160  # of the first evidence quote, in the markdown table


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "codebook",
        help="list every code with metaclass, label, definition, uses, relations and evidence",
        description="Every code defined or used in the study: metaclass, label, where it is "
        "first defined (in coding order), how many sources and uses, its relations and the "
        "first quote coded with it.",
    )
    add_paths_argument(parser)
    add_format_argument(parser, ("md", "csv", "json"))
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")
    parser.set_defaults(run=run)


def _row(entry: CodebookEntry) -> list[str]:
    evidence = entry.evidence
    return [
        entry.identifier,
        entry.metaclass or "",
        entry.label or "",
        entry.defined_at or "",
        str(entry.definitions),
        str(entry.sources),
        str(entry.uses),
        "; ".join(entry.relations),
        evidence.text if evidence else "",
        f"{evidence.path}:{evidence.quote_line}" if evidence else "",
    ]


def _markdown_cell(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def render_markdown(entries: list[CodebookEntry]) -> str:
    """A markdown table, one row per code; long quotes shortened."""
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join(" --- " for _ in COLUMNS) + "|",
    ]
    for entry in entries:
        row = _row(entry)
        quote = " ".join(row[8].split())
        if len(quote) > QUOTE_CHARS:
            row[8] = quote[: QUOTE_CHARS - 1].rstrip() + "…"
        lines.append("| " + " | ".join(_markdown_cell(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"


def render_csv(entries: list[CodebookEntry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(entry) for entry in entries)
    return buffer.getvalue()


def render_json(entries: list[CodebookEntry]) -> str:
    import json

    return json.dumps([entry.as_dict() for entry in entries], indent=2, ensure_ascii=False) + "\n"


def run(args) -> int:
    from jupyter_coding.study.reports import Study, codebook_entries

    if args.output:
        check_output(args.output)
    entries = codebook_entries(Study.from_notes(notes for _, _, notes in read_all(args.paths)))
    render = {"md": render_markdown, "csv": render_csv, "json": render_json}[args.format]
    text = render(entries)
    if args.output:
        write_output(args.output, text.encode("utf-8"))
        print(f"{count(len(entries), 'code')} written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
