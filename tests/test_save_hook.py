"""The save hook in a real Jupyter Server: saving a notebook writes its markdown."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from jupyter_coding.cli import main
from jupyter_coding.common.files import sha256
from jupyter_coding.notebooks.convert import METADATA_KEY
from jupyter_coding.notebooks.export import ALTERNATE_SUFFIX

from .conftest import EXAMPLES

pytestmark = pytest.mark.server

HOOK_CONFIG = 'c.FileContentsManager.post_save_hook = "jupyter_coding.exporter.post_save_hook"\n'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A Jupyter Server on 127.0.0.1 with isolated Jupyter folders and the save hook on
    (or the given ``jupyter_server_config.py`` text)."""

    def __init__(self, root: Path, home: Path, config_text: str = HOOK_CONFIG):
        self.root = root
        self.token = secrets.token_hex(16)
        self.port = free_port()
        config = home / "config"
        config.mkdir(parents=True)
        (config / "jupyter_server_config.py").write_text(config_text, encoding="utf-8")
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "IPYTHONDIR": str(home / "ipython"),
            "JUPYTER_CODING_WRITE_RECORD": str(home / "record.json"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYTHONWARNINGS": "ignore",
        }
        self.log = (home / "server.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                "--ServerApp.ip=127.0.0.1",
                "--ServerApp.open_browser=False",
                f"--ServerApp.root_dir={root}",
                f"--IdentityProvider.token={self.token}",
                "--ServerApp.allow_root=True",  # CI containers run as root
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self.wait_until_up()
        except BaseException:
            self.stop()
            raise

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method: str, path: str, body=None) -> tuple[int, dict]:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(self.url(path), data=data, method=method)
        request.add_header("Authorization", f"token {self.token}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter server exited: {self.log_text()}")
            try:
                if self.request("GET", "/api/status")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"jupyter server did not start: {self.log_text()}")

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(encoding="utf-8")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)
        self.log.close()

    # the contents REST API, as JupyterLab uses it
    def load(self, name: str) -> dict:
        status, model = self.request("GET", f"/api/contents/{name}?content=1")
        assert status == 200, model
        return model["content"]

    def save(self, name: str, notebook: dict) -> tuple[int, dict]:
        return self.request(
            "PUT",
            f"/api/contents/{name}",
            {"type": "notebook", "format": "json", "content": notebook},
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("study")
    for name in ("s_1.md", "s_2.md", "s_3.md", "p_1.md"):
        shutil.copy(EXAMPLES / name, root)
    assert main(["to-notebook", "-q", str(root)]) == 0
    running = Server(root, tmp_path_factory.mktemp("jupyter"))
    yield running
    running.stop()


def cell_with(notebook: dict, text: str) -> dict:
    cells = [cell for cell in notebook["cells"] if text in "".join(cell["source"])]
    assert len(cells) == 1
    return cells[0]


def edit(notebook: dict, old: str, new: str) -> None:
    cell = cell_with(notebook, old)
    cell["source"] = "".join(cell["source"]).replace(old, new)


def test_saving_writes_the_edited_markdown(server):
    markdown = server.root / "s_1.md"
    original = markdown.read_text(encoding="utf-8")
    notebook = server.load("s_1.ipynb")
    edit(notebook, "For years our", "For many years our")
    status, model = server.save("s_1.ipynb", notebook)
    assert status == 200, model
    assert markdown.read_text(encoding="utf-8") == original.replace(
        "For years our", "For many years our", 1
    )
    # JupyterLab keeps the metadata it loaded: the next save still carries the old hash
    edit(notebook, "For many years our", "For all those years our")
    notebook["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "new-trace",
            "metadata": {},
            "outputs": [],
            "source": "%%code\nfamiliar: reviewer_rotation",
        }
    )
    assert server.save("s_1.ipynb", notebook)[0] == 200
    text = markdown.read_text(encoding="utf-8")
    assert "For all those years our" in text
    assert text.endswith(
        "**OPEN CODING TRACE:**\n\nFamiliar option: reviewer_rotation\n\n"
        "**AXIAL CODING TRACE:**\n\nadd codes to s1: \n``` python \n    '''\n"
        "        reviewer_rotation\n    '''\n```\n"
    )


def test_unchanged_save_keeps_the_bytes(server):
    markdown = server.root / "p_1.md"
    before = markdown.read_bytes()
    assert server.save("p_1.ipynb", server.load("p_1.ipynb"))[0] == 200
    assert markdown.read_bytes() == before == (EXAMPLES / "p_1.md").read_bytes()


def test_a_markdown_file_changed_meanwhile_is_not_overwritten(server):
    markdown = server.root / "s_2.md"
    changed = markdown.read_bytes() + b"\n> typed in an editor meanwhile\n"
    markdown.write_bytes(changed)
    notebook = server.load("s_2.ipynb")
    edit(notebook, "## title\n", "## title\nNew: ")
    status, model = server.save("s_2.ipynb", notebook)
    assert status == 500  # the front end shows the reason
    assert "s_2.md: the file changed since s_2.ipynb was made from it" in model["message"]
    assert markdown.read_bytes() == changed
    alternate = server.root / f"s_2.md{ALTERNATE_SUFFIX}"
    assert "## title\nNew: " in alternate.read_text(encoding="utf-8")
    # the notebook itself was saved
    assert "## title\nNew: " in "".join(cell_with(server.load("s_2.ipynb"), "## title")["source"])


def test_other_notebooks_are_left_alone(server):
    plain = {
        "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {}, "source": "> not field notes"}
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    assert server.save("analysis.ipynb", plain)[0] == 201  # created
    assert (server.root / "analysis.ipynb").exists()
    assert not (server.root / "analysis.md").exists()


def listing(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("kind", ["parent", "absolute", "link"])
def test_a_crafted_markdown_path_is_refused_and_nothing_is_written_outside_the_root(
    server, tmp_path_factory, kind
):
    """S1: a notebook someone sends you names a file outside the server's root."""
    outside = tmp_path_factory.mktemp("outside")
    victim = outside / "x.md"
    victim.write_bytes(b"# a file the researcher never meant to share\n")
    folder = server.root / f"sent-{kind}"
    folder.mkdir()
    if kind == "link":  # a link inside the root, pointing out of it
        (folder / "x.md").symlink_to(victim)
    name = {
        "parent": os.path.relpath(victim, folder),  # ../../outside0/x.md
        "absolute": str(victim),
        "link": "x.md",
    }[kind]
    assert name.startswith("../..") or kind != "parent"
    notebook = server.load("s_1.ipynb")
    # the attacker knows the file, so the guard alone would let the write through
    notebook["metadata"][METADATA_KEY].update(markdown=name, sha256=sha256(victim.read_bytes()))
    edit(notebook, "## title\n", "## title\nOverwritten through the save hook: ")
    before = listing(outside)
    status, model = server.save(f"sent-{kind}/crafted.ipynb", notebook)
    assert status == 500, model  # the save reports it; JupyterLab shows the message
    message = model["message"]
    assert "the markdown was not written" in message and "refused" in message
    assert "outside" in message and "\n" not in message
    assert listing(outside) == before  # no x.md change, no x.md.from-notebook
    assert sorted(p.name for p in folder.iterdir() if p.name != ".ipynb_checkpoints") == (
        ["crafted.ipynb", "x.md"] if kind == "link" else ["crafted.ipynb"]
    )
    assert "Overwritten" not in (server.root / "s_1.md").read_text(encoding="utf-8")


def test_a_quote_cell_made_a_code_cell_keeps_its_text_on_save(server):
    """D6: JupyterLab's Y key on a quote cell must not delete the quote from the markdown."""
    markdown = server.root / "s_3.md"
    before = markdown.read_bytes()
    notebook = server.load("s_3.ipynb")
    quote = next(c for c in notebook["cells"] if "".join(c["source"]).startswith("> "))
    quote.update(cell_type="code", execution_count=None, outputs=[])
    text = "".join(quote["source"])
    status, model = server.save("s_3.ipynb", notebook)
    assert status == 200, model
    assert markdown.read_bytes() == before
    assert text.encode("utf-8") in before
    assert "holds a block of the markdown (quote); its text is kept" in server.log_text()
