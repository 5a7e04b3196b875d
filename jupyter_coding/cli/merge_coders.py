"""``jupyter-coding merge-coders A B -o OUT``: two coders' versions merged quote by quote."""

from __future__ import annotations

import sys
from pathlib import Path

from jupyter_coding.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UserError
from jupyter_coding.common.words import count


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "merge-coders",
        help="merge two coders' versions of a study or file, quote by quote",
        description="Merge two coders' versions (folders, files, or git revisions such as "
        "coder-b:study/) quote by quote: traces only one coder wrote are taken; where both "
        "coded the same quotes differently, both traces are kept with a '**CODERS "
        "DISAGREE:**' marker between them, which check reports (JC501) until it is "
        "discussed and deleted. Nothing either coder wrote is dropped. Exit 1 when "
        "disagreements were marked.",
    )
    parser.add_argument("ours", metavar="A", help="the first coder's version")
    parser.add_argument("theirs", metavar="B", help="the second coder's version")
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        required=True,
        help="where the merge goes: a folder (a file when A and B are files)",
    )
    parser.add_argument(
        "--base", metavar="O", help="the version both started from (a three-way merge)"
    )
    parser.add_argument("--names", metavar="A,B", help="the coders' names in the markers")
    parser.add_argument(
        "--force", action="store_true", help="overwrite files in OUT that are not A's or B's"
    )
    parser.set_defaults(run=run)


def _targets(args, versions, merged) -> dict[str, Path]:
    ours, theirs = versions
    if ours.single_file and theirs.single_file:
        if len(merged) != 1:
            raise UserError("A and B are files with different names; give folders", EXIT_USAGE)
        return {merged[0].relative: Path(args.output)}
    out = Path(args.output)
    if out.is_file():
        raise UserError(f"{out}: A and B are studies, so OUT must be a folder", EXIT_USAGE)
    return {item.relative: out / item.relative for item in merged}


def _check_target(target: Path, versions, force: bool) -> None:
    """Refuse to write over a file that changed since it was read, or that is no input."""
    if not target.exists():
        return
    for version in versions:
        for relative, text in version.files.items():
            source = version.disk_path(relative)
            if source is not None and source.resolve() == target.resolve():
                if target.read_bytes() != text.encode("utf-8"):
                    raise UserError(f"{target}: changed since it was read; nothing written")
                return
    if not force:
        raise UserError(f"{target}: exists and is neither A's nor B's (--force overwrites it)")


def _describe(item) -> str:
    result = item.result
    parts = [
        f"{count} trace{'s' * (count != 1)} from {name} only"
        for name, count in result.taken.items()
        if count
    ]
    if item.only_in:
        parts.insert(0, f"only in {item.only_in}")
    if result.disagreements:
        many = result.disagreements != 1
        parts.append(f"{result.disagreements} disagreement{'s' * many} marked for discussion")
    if result.conflicts:
        many = result.conflicts != 1
        parts.append(f"{result.conflicts} conflict{'s' * many} outside the traces")
    return ", ".join(parts) or "the same in both"


def run(args) -> int:
    from jupyter_coding.common.files import atomic_write
    from jupyter_coding.study.coders import merge_versions
    from jupyter_coding.study.gitstudy import read_version, read_versions

    names = [name.strip() for name in args.names.split(",")] if args.names else None
    versions = read_versions([args.ours, args.theirs], names)
    base = read_version(args.base, "base") if args.base else None
    merged = merge_versions(versions[0], versions[1], base)
    if not merged:
        raise UserError("no field-notes files in A or B")
    targets = _targets(args, versions, merged)
    for item in merged:
        _check_target(targets[item.relative], versions, args.force)
    open_items = 0
    for item in merged:
        target = targets[item.relative]
        target.parent.mkdir(parents=True, exist_ok=True)
        data = item.result.text.encode("utf-8")
        if not (target.exists() and target.read_bytes() == data):
            atomic_write(target, data)
        print(f"{target}: {_describe(item)}")
        open_items += item.result.disagreements + item.result.conflicts
    marked = sum(item.result.disagreements for item in merged)
    conflicts = sum(item.result.conflicts for item in merged)
    print(
        f"{count(len(merged), 'file')} merged: {count(marked, 'disagreement')} marked, "
        f"{count(conflicts, 'conflict')}"
        + ("; run 'jupyter-coding check' to list them" if open_items else ""),
        file=sys.stderr,
    )
    return EXIT_FAILED if open_items else EXIT_OK
