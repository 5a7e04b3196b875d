"""``jupyter-coding to-notebook FILE.md|DIR ... [-o OUT]``"""

from __future__ import annotations

import sys

from ..cli import UserError
from ..fieldnotes import FieldNotesError, parse, read_text
from ..files import atomic_write, sha256
from ..progress import MIN_ITEMS, progress
from ._common import add_paths_argument
from ._notebooks import (
    add_write_options,
    count,
    import_nbformat_quickly,
    markdown_inputs,
    output_path,
    relative_to_folder,
)


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
    from ..notebook import notebook_json, read_notebook, to_notebook, unsaved_changes

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
                        reason = unsaved_changes(read_notebook(old.decode("utf-8")), text)
                    except Exception:
                        reason = "it is not a notebook made by to-notebook"
                    if reason:
                        raise FieldNotesError(
                            f"not replaced: {reason} (run `jupyter-coding to-markdown "
                            f"{target}` first, or use --force)",
                            target,
                        )
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
