"""``jupyter-coding new DIR --id s58 --url ... --title ...``"""

from __future__ import annotations

from pathlib import Path

from jupyter_coding.cli import UserError
from jupyter_coding.cli._notebooks import import_nbformat_quickly
from jupyter_coding.common.files import find_field_notes, sha256, write_new
from jupyter_coding.fieldnotes import parse, read_text
from jupyter_coding.fieldnotes.dialect import SEED, Dialect, votes
from jupyter_coding.fieldnotes.new_source import file_name, render_new_source

# option -> header field
FIELD_OPTIONS = (
    ("url", "url"),
    ("tiny_url", "tiny url"),
    ("archive_url", "archive url"),
    ("title", "title"),
    ("source_code", "source code"),
    ("example", "example"),
    ("type", "source type"),
    ("author_type", "author type"),
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "new",
        help="start the field notes of a new source (markdown and notebook)",
        description="Write DIR/s_N.md for a new source: the kind and id lines, the nine "
        "header fields, the source's CClass block generated from the same values, and "
        "# coding; and its notebook DIR/s_N.ipynb, ready to paste quotes into. An id the "
        "study in DIR already uses is refused.",
    )
    parser.add_argument("folder", metavar="DIR", help="the study's folder")
    parser.add_argument("--id", required=True, help="source id: s58 (a source), p12 (interview)")
    parser.add_argument("--url", required=True, help="the source's address")
    parser.add_argument("--title", required=True, help="the source's title")
    parser.add_argument("--tiny-url", default="", help="a short link (default: empty)")
    parser.add_argument("--archive-url", default="", help="an archived copy (default: empty)")
    parser.add_argument(
        "--source-code", choices=("yes", "no"), default="no", help="does it show source code"
    )
    parser.add_argument(
        "--example", choices=("yes", "no"), default="no", help="does it give an example"
    )
    parser.add_argument(
        "--type",
        default="Practitioner Audience Article",
        help="source type (default: %(default)s)",
    )
    parser.add_argument(
        "--author-type", default="Practitioner", help="author type (default: %(default)s)"
    )
    parser.add_argument("--no-notebook", action="store_true", help="write only the markdown file")
    parser.set_defaults(run=run)


def read_study(folder: Path) -> tuple[dict[str, Path], Dialect]:
    """Source ids the study uses (header number or CClass name), with a file using each,
    and the study's dialect, which the new file follows."""
    used: dict[str, Path] = {}
    file_votes = []
    for path in find_field_notes([folder]):
        notes = parse(read_text(path), str(path))
        file_votes.append(votes(notes))
        source = notes.source
        for source_id in (notes.source_id, source.name if source is not None else None):
            if source_id:
                used.setdefault(source_id, path)
    return used, Dialect.detect(file_votes)


def run(args) -> int:
    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder}: not a folder")
    source_id = args.id.strip()
    dialect = SEED
    name = file_name(source_id)
    target = folder / name
    if folder.is_dir():
        used, dialect = read_study(folder)
        if source_id in used:
            raise UserError(f"{source_id} is already used by {used[source_id]}; pick another id")
    notebook_path = target.with_suffix(".ipynb")
    for path in (target, notebook_path):
        if path.exists() and (path == target or not args.no_notebook):
            raise UserError(f"{path} exists already; pick another id")
    values = {field: getattr(args, option) for option, field in FIELD_OPTIONS}
    values["references"] = ""
    text = render_new_source(source_id, values, dialect)
    folder.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    _create(target, data)
    print(f"wrote {target}")
    if args.no_notebook:
        return 0
    import_nbformat_quickly()
    from jupyter_coding.notebooks.convert import add_empty_cell, notebook_json, to_notebook

    notebook = add_empty_cell(to_notebook(parse(text, str(target)), name, sha256(data)))
    _create(notebook_path, notebook_json(notebook).encode("utf-8"))
    print(f"wrote {notebook_path}")
    return 0


def _create(path: Path, data: bytes) -> None:
    """Write a new file, never over one made meanwhile (by another ``new``, say)."""
    try:
        write_new(path, data)
    except FileExistsError:
        raise UserError(f"{path} exists already; pick another id") from None
