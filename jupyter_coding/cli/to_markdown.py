"""``jupyter-coding to-markdown FILE.ipynb|DIR ... [-o OUT] [--force]``"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jupyter_coding.cli import UserError
from jupyter_coding.cli._common import add_paths_argument
from jupyter_coding.cli._notebooks import (
    add_write_options,
    import_nbformat_quickly,
    notebook_inputs,
)
from jupyter_coding.common.progress import MIN_ITEMS, progress
from jupyter_coding.common.words import count
from jupyter_coding.fieldnotes import FieldNotesError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "to-markdown",
        help="write the field-notes markdown back from each notebook",
        description="Write the markdown of each notebook to the file it was made from "
        "(or under -o OUT). Unchanged cells give back the original bytes; edited, new and "
        "deleted cells change only their part; a %%code cell in the concise syntax becomes "
        "a canonical trace. A markdown file that changed since the notebook was made from "
        "it is not overwritten: the text goes to NAME.md.from-notebook instead (use --force "
        "to overwrite). The markdown file a notebook names must be inside the notebook's "
        "folder (or --root): a notebook's metadata cannot send the write elsewhere. "
        "Folders are searched for notebooks made by to-notebook. "
        "Exit 1 if any file was refused or failed.",
    )
    add_paths_argument(parser, "notebooks, or folders holding them")
    add_write_options(
        parser,
        "a markdown file (for one notebook) or a folder to write the markdown into",
        "overwrite markdown files even when they changed since the notebook was made",
    )
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="the folder markdown files may be written in (default: each notebook's own "
        "folder); for notebooks made with to-notebook -o, whose markdown is elsewhere",
    )
    parser.set_defaults(run=run)


ROOT_HINT = " (if you trust this notebook, allow a folder holding that file with --root DIR)"


def destination(args, path: Path, relative: Path, notebook, single: bool) -> tuple[Path, Path]:
    """(markdown file to write, folder the write must stay in) for one notebook."""
    from jupyter_coding.notebooks.export import markdown_target, named_markdown

    if args.output is None:
        root = Path(args.root) if args.root else path.parent
        return markdown_target(path, notebook, root, ROOT_HINT), root
    out = Path(args.output)
    name = named_markdown(path, notebook).name  # only the name: -o says where
    if single and out.suffix == ".md" and not out.is_dir():
        return out, out.parent
    return out / relative.parent / name, out


def run(args) -> int:
    import_nbformat_quickly()
    from jupyter_coding.notebooks.convert import made_from_markdown
    from jupyter_coding.notebooks.export import (
        WriteRecord,
        export_notebook_file,
        write_notebook_markdown,
    )

    inputs = notebook_inputs(args.paths)
    if not inputs:
        raise UserError("no notebooks (*.ipynb) found")
    single = len(inputs) == 1
    # many files: one os.sync at the end instead of an fsync per file
    sync_each = single or not hasattr(os, "sync")
    record = WriteRecord()
    written = unchanged = failed = skipped = 0
    try:
        for path, relative, named in progress(inputs, "to-markdown"):
            try:
                notebook, export = export_notebook_file(path)
                if not named and not made_from_markdown(notebook):
                    skipped += 1  # some other notebook in the folder
                    continue
                target, root = destination(args, path, relative, notebook, single)
                if args.output is not None:
                    target.parent.mkdir(parents=True, exist_ok=True)
                for notice in export.notices:
                    print(f"{path}: {notice}", file=sys.stderr)
                result = write_notebook_markdown(
                    path,
                    notebook,
                    export.text,
                    record,
                    target=target,
                    root=root,
                    force=args.force,
                    sync=sync_each,
                )
            except (FieldNotesError, OSError) as error:
                failed += 1
                print(f"jupyter-coding to-markdown: {error}", file=sys.stderr)
                continue
            if result.refused:
                failed += 1
                print(f"jupyter-coding to-markdown: {result.message()}", file=sys.stderr)
            else:
                if result.status == "unchanged":
                    unchanged += 1
                else:
                    written += 1
                if not args.quiet and len(inputs) < MIN_ITEMS:
                    print(result.message())
    finally:
        record.save()
        if not sync_each and (written or failed):
            os.sync()
    if not args.quiet and (not single or failed):
        print(
            f"{count(written + unchanged + failed, 'notebook')}: "
            f"{count(written, 'markdown file')} written, {unchanged} unchanged, "
            f"{failed} refused or failed"
            + (f" ({count(skipped, 'other notebook')} skipped)" if skipped else "")
        )
    return 1 if failed else 0
