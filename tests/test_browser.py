"""The code picker in a real JupyterLab, driven with the keyboard in Debian's Chromium.

JupyterLab runs on 127.0.0.1 with a token, news and update checks off and its own
config, data, runtime and IPython folders; Playwright drives ``/usr/bin/chromium``
(never a downloaded browser). The loop a researcher does: open the notebook made
from a corpus file, run the setup cell and a ``%%code`` cell, type in the picker,
pick with Enter, Tab, Shift+Enter (the cell runs again and the pick is written into
its text), save, ``to-markdown``; the code must be in the markdown at its trace.

Skipped with the reason when Chromium or Playwright is missing; on CI (``CI`` set)
that is a failure instead, since ``.ci/run`` installs Chromium.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_coding.cli import main as cli

from .conftest import CORPUS, ROOT, corpus_files, read_exact

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START = 120  # seconds: JupyterLab's first start builds nothing but can be slow on CI
STEP = 60_000  # milliseconds for one step in the browser (a kernel start, a cell run)


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return (
            f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium "
            "(a downloaded browser is never used)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is missing: pip install -e '.[test]'"
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        return "JupyterLab is missing: pip install -e '.[test]'"
    return None


@pytest.fixture(scope="module")
def browser_ready() -> None:
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"on CI the browser test must run: {reason}")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lab:
    """A JupyterLab server of this test: its folder, address and log."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / "study"
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.log = root / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
            folder = self.root / name.lower()
            folder.mkdir(exist_ok=True)
            env[name] = str(folder)
        env.pop("JUPYTER_PATH", None)
        # no news or update notifications over the notebook (user settings of this server)
        settings = (
            self.root
            / "jupyter_config_dir"
            / "lab"
            / "user-settings"
            / "@jupyterlab"
            / "apputils-extension"
        )
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        return env

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            f"--ServerApp.root_dir={self.work}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.open_browser=False",
            "--ServerApp.allow_root=True",  # CI runs as root
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.work, env=self.environment(), stdout=log, stderr=log
            )
        deadline = time.monotonic() + SERVER_START
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"JupyterLab exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"JupyterLab did not answer in {SERVER_START} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def log_tail(self, size: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""


@pytest.fixture(scope="module")
def lab(browser_ready, tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab on a copy of the corpus, with the notebook of s_43.md made by to-notebook."""
    root = tmp_path_factory.mktemp("lab")
    server = Lab(root)
    server.work.mkdir()
    for path in corpus_files():  # the whole study, so the picker shows the whole codebook
        shutil.copyfile(path, server.work / path.name)
    assert cli(["to-notebook", "-q", str(server.work / "s_43.md")]) == 0
    server.start()
    try:
        yield server
    finally:
        server.stop()


TRACE_BEFORE = (
    "Familiar option: k8s\n\n**AXIAL CODING TRACE:**\n\nadd codes to s43: \n``` python \n"
    "    '''\n        k8s,\n        infrastructure_as_code\n    '''\n"
)
TRACE_AFTER = (
    "Familiar option: k8s, data_catalogue\n\n**AXIAL CODING TRACE:**\n\nadd codes to s43: \n"
    "``` python \n    '''\n        k8s,\n        infrastructure_as_code,\n        data_catalogue\n"
    "    '''\n"
)


def _trace_cell_index(notebook: Path) -> int:
    """The ``%%code`` cell of the trace after the "Infrastructure" quote (s_43.md:148)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = [
        number
        for number, cell in enumerate(cells)
        if "".join(cell["source"]).startswith("%%code\n")
        and "Familiar option: k8s\n" in "".join(cell["source"])
    ]
    assert len(found) == 1, found
    return found[0]


def _cell_text(page, index: int) -> str:
    return page.locator(
        f".jp-Notebook .jp-Cell[data-windowed-list-index='{index}'] .jp-Editor .cm-content"
    ).inner_text()


def test_pick_a_code_with_the_keyboard_and_export_it(lab: Lab):
    from playwright.sync_api import sync_playwright

    notebook = lab.work / "s_43.ipynb"
    markdown = lab.work / "s_43.md"
    original = read_exact(CORPUS / "s_43.md")
    assert original.count(TRACE_BEFORE) == 1
    target = _trace_cell_index(notebook)
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(lab.root / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(STEP)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            _coding_loop(page, lab, target)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "picker-failure.png"))
            print(f"JupyterLab log:\n{lab.log_tail()}\npage errors: {errors}")
            raise
        finally:
            context.close()

    # the saved notebook holds the pick in the cell's own text
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    assert "        data_catalogue\n" in "".join(cells[target]["source"])
    # and to-markdown writes it at its trace, changing nothing else
    assert cli(["to-markdown", "-q", str(notebook)]) == 0
    assert read_exact(markdown) == original.replace(TRACE_BEFORE, TRACE_AFTER)


def _coding_loop(page, lab: Lab, target: int) -> None:
    notebook_cells = ".jp-Notebook .jp-Cell"
    page.goto(lab.url("lab/tree/s_43.ipynb"))
    page.wait_for_selector(notebook_cells)
    # the execution indicator says idle before there is a kernel: the status bar knows
    page.wait_for_function(
        """() => {
            const bar = document.querySelector("#jp-main-statusbar");
            return bar && !bar.innerText.includes("No Kernel")
                   && /\\| Idle/.test(bar.innerText);
        }"""
    )

    # the setup cell (%load_ext jupyter_coding), run from the keyboard
    page.locator(f"{notebook_cells}[data-windowed-list-index='0'] .jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """() => {
            const prompt = document.querySelector(
                ".jp-Cell[data-windowed-list-index='0'] .jp-InputPrompt");
            return prompt && prompt.textContent.includes("[1]");
        }"""
    )
    # down to the trace cell in command mode, and run it: the picker takes the focus
    for _ in range(target - 1):
        page.keyboard.press("ArrowDown")
    active = page.locator(f"{notebook_cells}.jp-mod-active")
    assert active.get_attribute("data-windowed-list-index") == str(target)
    assert "Familiar option: k8s" in _cell_text(page, target)
    page.keyboard.press("Shift+Enter")
    cell = page.locator(f"{notebook_cells}[data-windowed-list-index='{target}']")
    cell.locator(".jc-trace").wait_for()
    cell.locator(".jc-picker input[type='text']").first.wait_for()
    page.wait_for_function(
        """() => document.activeElement && document.activeElement.tagName === "INPUT"
                 && document.activeElement.closest(".jc-picker") !== null"""
    )

    # type: the matches follow; the top one is highlighted with its definition and evidence
    page.keyboard.type("catalog", delay=60)
    cell.locator(".jc-match.jc-highlight[data-code='data_catalogue']").wait_for()
    cell.locator(".jc-detail .jc-evidence").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "picker-matches.png"))

    # Enter picks it; Tab leaves the search box; Shift+Enter runs the cell again
    page.keyboard.press("Enter")
    cell.locator(".jc-picked .jc-chip", has_text="data_catalogue").wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """(index) => {
            const editor = document.querySelector(
                `.jp-Cell[data-windowed-list-index='${index}'] .jp-Editor .cm-content`);
            return editor && editor.innerText.includes("data_catalogue");
        }""",
        arg=target,
    )
    text = _cell_text(page, target)
    assert "Familiar option: k8s, data_catalogue" in text
    assert text.count("data_catalogue") == 2  # memo and add codes, picked once
    # the new run shows the code attached, and a fresh picker has the focus again
    cell.locator(".jc-trace", has_text="data_catalogue").wait_for()
    page.wait_for_function(
        """() => document.activeElement && document.activeElement.closest(".jc-picker")"""
    )
    page.screenshot(path=str(ARTIFACTS / "picker-in-jupyterlab.png"))

    # save from the keyboard (outside the search box, which keeps its keys to itself)
    page.keyboard.press("Tab")
    page.keyboard.press("Control+s")
    notebook = lab.work / "s_43.ipynb"
    deadline = time.monotonic() + STEP / 1000
    while "data_catalogue" not in "".join(
        json.loads(notebook.read_text(encoding="utf-8"))["cells"][target]["source"]
    ):
        assert time.monotonic() < deadline, "the notebook was not saved"
        time.sleep(0.25)
