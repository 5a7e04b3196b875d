"""``jupyter-coding verify PATH...``"""

from __future__ import annotations

from ..verify import verify_text
from ._common import add_paths_argument, read_all


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check that every file would come back byte for byte",
        description="Parse each file and write it back in memory; report every file that "
        "would not come back byte for byte, with the first differing line. Exit 1 if any.",
    )
    add_paths_argument(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    parser.set_defaults(run=run)


def run(args) -> int:
    total = exact = 0
    for path, text, _ in read_all(args.paths, "verifying"):
        verdict = verify_text(text, path)
        total += 1
        if verdict.exact:
            exact += 1
        else:
            print(verdict.message())
    print(f"{total} files, {exact} exact")
    return 0 if exact == total else 1
