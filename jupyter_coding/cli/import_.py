"""``jupyter-coding import qdc FILE [PATH...]``: what a codebook from another tool changed."""

from __future__ import annotations

from jupyter_coding.cli import UserError
from jupyter_coding.cli._common import add_format_argument, print_json, read_all
from jupyter_coding.common.words import count
from jupyter_coding.fieldnotes import FieldNotesError
from jupyter_coding.study.codebook import Codebook


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import",
        help="compare a REFI-QDA codebook edited in another tool with the field notes",
        description="Reads a codebook back and reports which codes are new, renamed (same "
        "GUID, other name), merged into another code, moved to another category, or gone. "
        "Nothing is changed: apply the changes with rename and merge. Exit 1 when there are "
        "changes.",
    )
    formats = parser.add_subparsers(dest="format_kind", metavar="FORMAT", required=True)
    sub = formats.add_parser(
        "qdc",
        help="a REFI-QDA codebook (.qdc; the codebook of a .qdpx project is read too)",
        description="Compare a REFI-QDA codebook with the codes of the field notes.",
    )
    sub.add_argument("file", metavar="FILE", help="the .qdc (or .qdpx) file to read")
    sub.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="field-notes files or folders (default: the current folder)",
    )
    add_format_argument(sub)
    sub.set_defaults(run=run)


def run(args) -> int:
    from jupyter_coding.interop.refi_qda_import import MAX_UNPACKED, compare_codebook, read_codebook

    data = _read_capped(args.file, MAX_UNPACKED)
    try:
        exchanged = read_codebook(data)
    except FieldNotesError as error:
        raise FieldNotesError(error.message, args.file, error.line) from None
    codebook = Codebook.from_notes(parsed for _, _, parsed in read_all(args.paths))
    changes = compare_codebook(exchanged, codebook)
    if args.format == "json":
        print_json({"file": args.file, **changes.as_dict()})
    else:
        print(format_changes(args.file, changes))
    return 1 if changes.changed else 0


def _read_capped(path: str, most: int) -> bytes:
    """The file's bytes, read a chunk at a time, refused past ``most``."""
    chunks: list[bytes] = []
    size = 0
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(2**20):
                size += len(chunk)
                if size > most:
                    raise UserError(
                        f"{path}: larger than {most // 2**20} MiB, the most read from a "
                        "codebook or project"
                    )
                chunks.append(chunk)
    except OSError as error:
        raise UserError(f"{path}: {error.strerror or error}") from None
    return b"".join(chunks)


def format_changes(file: str, changes) -> str:
    """The changes as the researcher reads them, with the commands that apply them."""
    lines = [f"{file}: {count(changes.codes, 'code')}"]
    if not changes.changed:
        lines[0] += ", the same as in the field notes"
        return "\n".join(lines)
    sections = [
        ("renamed", [f"{old} -> {new}" for old, new in changes.renamed], "apply with rename"),
        ("merged", [f"{old} -> {new}" for old, new in changes.merged], "apply with merge"),
        (
            "new",
            [f"{c.name}" + (f" ({c.category})" if c.category else "") for c in changes.new],
            "not in the field notes yet",
        ),
        ("gone", changes.gone, "in the field notes, not in the file"),
        (
            "moved",
            [
                f"{code}: {old or '(none)'} -> {new or '(none)'}"
                for code, old, new in changes.recategorised
            ],
            "another category than the metaclass in the field notes",
        ),
    ]
    for title, items, hint in sections:
        if items:
            lines.append(f"{title} ({len(items)}), {hint}:")
            lines.extend(f"  {item}" for item in items)
    return "\n".join(lines)
