"""``jupyter-coding to-notebook FILE.md|DIR ... [-o OUT]``"""

from __future__ import annotations

import sys

from jupyter_coding.cli import UserError
from jupyter_coding.cli._common import add_paths_argument
from jupyter_coding.cli._notebooks import (
    add_write_options,
    import_nbformat_quickly,
    markdown_inputs,
    output_path,
    relative_to_folder,
)
from jupyter_coding.common.files import atomic_write, sha256
from jupyter_coding.common.progress import MIN_ITEMS, progress
from jupyter_coding.common.words import count
from jupyter_coding.fieldnotes import FieldNotesError, parse, read_text


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "to-notebook",
        help="make a notebook (the editing view) from each field-notes file",
        description="Write NAME.ipynb beside each NAME.md (or under -o OUT): one cell per "
        "block, a %%code cell per coding trace, and what is needed to give the markdown "
        "back byte for byte. An existing notebook with work that is not in the markdown "
        "is not replaced (use --force). Exit 1 if any file was refused or failed.",
    )
    add_paths_argument(parser)
    add_write_options(
        parser,
        "a notebook file (for one input) or a folder to write the notebooks into",
        "replace existing notebooks even when they hold work not in the markdown",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    import_nbformat_quickly()
    from jupyter_coding.notebooks.convert import (
        notebook_json,
        read_notebook,
        to_notebook,
        unsaved_changes,
    )

    inputs = markdown_inputs(args.paths)
    if not inputs:
        raise UserError("no field-notes files (*.md) found")
    single = len(inputs) == 1
    written = unchanged = failed = 0
    for path, relative in progress(inputs, "to-notebook"):
        target = output_path(args.output, relative, ".ipynb", single) or path.with_suffix(".ipynb")
        try:
            data = path.read_bytes()
            text = read_text(path)
            notes = parse(text, str(path))
            markdown = relative_to_folder(path, target.parent)
            content = notebook_json(to_notebook(notes, markdown, sha256(data))).encode("utf-8")
            if target.exists():
                old = target.read_bytes()
                if old == content:
                    unchanged += 1
                    if not args.quiet and len(inputs) < MIN_ITEMS:
                        print(f"{target}: unchanged")
                    continue
                if not args.force:
                    try:
                        existing = read_notebook(old.decode("utf-8"))
                        reason = unsaved_changes(existing, text)
                    except Exception:
                        existing, reason = None, "it is not a notebook made by to-notebook"
                    if reason:
                        advice = _advice(existing, text, target)
                        raise FieldNotesError(f"not replaced: {reason} ({advice})", target)
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, content, sync=False)  # a notebook can be made again
            written += 1
            if not args.quiet and len(inputs) < MIN_ITEMS:
                print(f"wrote {target}")
        except (FieldNotesError, OSError) as error:
            failed += 1
            print(f"jupyter-coding to-notebook: {error}", file=sys.stderr)
    if not args.quiet and (not single or failed):
        print(
            f"{count(len(inputs), 'file')}: {count(written, 'notebook')} written, "
            f"{unchanged} unchanged, {failed} refused or failed"
        )
    return 1 if failed else 0


def _advice(notebook, markdown_text: str, target) -> str:
    """What to do about a notebook that holds work the markdown lacks, truthfully:
    ``to-markdown`` brings edits back but never keeps code cells without ``%%code``."""
    from jupyter_coding.notebooks.convert import METADATA_KEY, export_markdown

    if notebook is None:
        return "move it away, or use --force"
    try:
        export = export_markdown(notebook)
    except FieldNotesError:
        return f"fix that cell and run `jupyter-coding to-markdown {target}`, or use --force"
    recorded = (notebook["metadata"].get(METADATA_KEY) or {}).get("sha256")
    edits = export.text != markdown_text and recorded != sha256(export.text.encode("utf-8"))
    scratch = len(export.left_out)
    if not scratch:
        return f"run `jupyter-coding to-markdown {target}` first, or use --force"
    cells = "that cell" if scratch == 1 else "those cells"
    kept = f"to-markdown never keeps code cells without %%code: copy what you need from {cells}"
    if edits:
        return f"run `jupyter-coding to-markdown {target}` for the edits; {kept}; then use --force"
    return f"{kept}, then use --force"
