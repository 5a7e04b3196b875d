"""``jupyter-coding``: the command line (also ``jupyter coding``).

Each subcommand lives in ``jupyter_coding/commands/<name>.py`` with a
``register(subparsers)`` function; this module only wires them up and turns
user errors into one-line messages.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .fieldnotes import FieldNotesError

# module names under jupyter_coding.commands, in the order ``--help`` lists them
COMMANDS = (
    "stats",
    "verify",
    "export",
    "import_",
    "check",
    "to_notebook",
    "to_markdown",
    "new",
    "codebook",
    "report",
    "tables",
    "rename",
    "merge",
    "lab",
    "agree",
    "merge_coders",
    "merge_driver",
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UserError(Exception):
    """A mistake of the user's: printed as one line, exit code 1 (or ``code``)."""

    def __init__(self, message: str, code: int = EXIT_FAILED):
        super().__init__(message)
        self.code = code


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that subcommand's module is imported."""
    parser = argparse.ArgumentParser(
        prog="jupyter-coding",
        description="Grounded-theory coding with field-notes markdown and Jupyter.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f"{__package__}.commands.{name}").register(subparsers)
    return parser


def _command_module(argv: list[str]) -> str | None:
    """The module of the subcommand ``argv`` starts with, so start-up imports only it."""
    if not argv or argv[0].startswith("-"):
        return None
    module = argv[0].replace("-", "_")
    module = "import_" if module == "import" else module
    return module if module in COMMANDS else None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 findings or failure, 2 usage)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_module(argv))
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or EXIT_OK)
    except (FieldNotesError, UserError) as error:
        print(f"jupyter-coding {args.command}: {error}", file=sys.stderr)
        return getattr(error, "code", EXIT_FAILED)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
