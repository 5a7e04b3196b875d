"""``jupyter-coding lab STUDY [FILE]``: JupyterLab on a study, its field notes as notebooks."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from jupyter_coding.cli import UserError

SERVER_EXTENSION = "jupyter_coding.serverext"  # its name in Jupyter configuration
OPEN_ROUTE = "/jupyter-coding/open/"  # the server extension sends it on to JupyterLab


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="start JupyterLab on a study, with field-notes files opening as notebooks",
        description="Start JupyterLab with STUDY as its root folder and the field-notes "
        "contents manager on (right-click a field-notes file > Open With > Field Notes; "
        "saving writes only the .md, through the guard). With FILE, that file opens as "
        "a notebook at once.",
    )
    parser.add_argument("study", metavar="STUDY", help="the study's folder")
    parser.add_argument(
        "file", metavar="FILE", nargs="?", help="a field-notes file in STUDY to open at once"
    )
    parser.add_argument(
        "--print",
        dest="print_only",
        action="store_true",
        help="print the jupyter lab command instead of running it",
    )
    parser.add_argument("--port", type=int, help="the port JupyterLab listens on")
    parser.add_argument(
        "--no-browser", action="store_true", help="do not open a browser (print the address)"
    )
    parser.set_defaults(run=run)


def lab_command(study: Path, file: Path | None, extra: list[str]) -> list[str]:
    """The ``jupyter lab`` command line: the study as root, our server extension on."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={study}",
        f"--ServerApp.jpserver_extensions={SERVER_EXTENSION}=True",
    ]
    if file is not None:
        relative = file.resolve().relative_to(study.resolve()).as_posix()
        command.append(f"--ServerApp.default_url={OPEN_ROUTE}{quote(relative)}")
    return command + list(extra)


def run(args) -> int:
    study = Path(args.study).expanduser()
    if not study.is_dir():
        raise UserError(f"{study}: no such folder (the study's folder holds its field-notes files)")
    file = None
    if args.file:
        file = Path(args.file).expanduser()
        if not file.is_absolute() and not file.exists():
            file = study / file
        if not file.is_file():
            raise UserError(f"{args.file}: no such file")
        if not os.path.realpath(file).startswith(os.path.realpath(study) + os.sep):
            raise UserError(f"{args.file}: not inside {study}, so JupyterLab could not open it")
    extra = [f"--port={args.port}"] if args.port else []
    extra += ["--no-browser"] if args.no_browser else []
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container: jupyter lab refuses root
        print("jupyter-coding lab: running as root, so with --ServerApp.allow_root=True")
        extra.append("--ServerApp.allow_root=True")
    command = lab_command(study.resolve(), file, extra)
    if args.print_only:
        print(shlex.join(command))
        return 0
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        raise UserError('JupyterLab is not installed: pip install "jupyter_coding[lab]"') from None
    return subprocess.call(command)
