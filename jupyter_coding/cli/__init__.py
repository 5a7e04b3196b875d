"""``jupyter-coding``: the command line (also ``jupyter coding``).

Each subcommand lives in ``jupyter_coding/cli/<name>.py`` with a
``register(subparsers)`` function; this module only wires them up and turns
user errors into one-line messages.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from jupyter_coding import __version__

# module names under jupyter_coding.cli, in the order ``--help`` lists them
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


def build_parser(only: str | None = None, summaries: bool = False) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that subcommand's module is imported.

    ``summaries``: every subcommand with only its name and help, read from its module's
    source without importing it (what ``--help`` and a wrong command name need; a
    module whose ``add_parser`` call is not literal text is imported after all).
    """
    parser = argparse.ArgumentParser(
        prog="jupyter-coding",
        description="Grounded-theory coding with field-notes markdown and Jupyter.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS if only is None else (only,):
        found = _registration(name) if summaries else None
        if found is None:
            importlib.import_module(f"{__package__}.{name}").register(subparsers)
        else:
            subparsers.add_parser(*found[0], **found[1])
    return parser


def _registration(name: str) -> tuple[list, dict] | None:
    """The arguments of the ``subparsers.add_parser(...)`` call in a command's ``register``,
    read with ``ast`` (importing every command and what it needs costs more than --help
    may take); None when they are not plain literals."""
    import ast
    from importlib.util import find_spec

    spec = find_spec(f"{__package__}.{name}")
    try:
        with open(spec.origin, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
    except (AttributeError, OSError, SyntaxError, TypeError):
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "register" and node.args.args:
            subparsers = node.args.args[0].arg
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "add_parser"
                    and isinstance(call.func.value, ast.Name)
                    and call.func.value.id == subparsers
                ):
                    try:
                        args = [ast.literal_eval(arg) for arg in call.args]
                        keywords = {
                            k.arg: ast.literal_eval(k.value)
                            for k in call.keywords
                            if k.arg in ("help", "aliases")
                        }
                    except ValueError:
                        return None
                    if any(k.arg is None for k in call.keywords):
                        return None
                    return args, keywords
    return None


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
    only = _command_module(argv)
    if only is None:  # --help, --version, no command or a wrong one: argparse exits
        build_parser(summaries=True).parse_args(argv)
    args = build_parser(only).parse_args(argv)
    from jupyter_coding.fieldnotes import FieldNotesError

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
