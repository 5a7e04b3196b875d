"""Coding in a real JupyterLab, driven with the keyboard in Debian's Chromium.

One JupyterLab for the module runs on 127.0.0.1 with a token, news and update checks
off and its own config, data, runtime and IPython folders, on a copy of the corpus and
of ``examples/labels_study`` with a notebook for every file; Playwright drives
``/usr/bin/chromium`` (never a downloaded browser), one browser for the module, a
fresh page and fresh kernels for each test. What a researcher does:

* Shift+Enter through a whole notebook (as many presses as cells) and Run All: no
  picker takes the focus; Ctrl+Enter on a trace cell does;
* the picker at 1400 px, and at 1000 px with the file browser open: no overlap (checked
  through element boxes), screenshots in ``test-artifacts/``;
* the counts of ``%codebook`` and the picker after running the notebook equal the CLI's;
* the evidence of other sources, opened through its link;
* pick with the keyboard, write the pick into the cell, save, ``to-markdown``.

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

    def url(self, path: str, reset: bool = False) -> str:
        """``reset``: JupyterLab opens with a fresh workspace (only this document)."""
        return f"http://127.0.0.1:{self.port}/{path}?{'reset&' * reset}token={self.token}"

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(self.url(f"api/{path}"), method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_sessions(self) -> None:
        """Every kernel shut down: a test starts with fresh kernels."""
        for session in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{session['id']}")

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


LABELS = ROOT / "examples" / "labels_study"
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
CELLS = f"{NOTEBOOK} .jp-Cell"


@pytest.fixture(scope="module")
def lab(browser_ready, tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab on copies of the corpus and the second dialect, a notebook for each file."""
    root = tmp_path_factory.mktemp("lab")
    server = Lab(root)
    for name, files in (
        ("corpus", corpus_files()),
        ("labels", [p for p in sorted(LABELS.glob("*.md")) if p.name != "README.md"]),
    ):
        folder = server.work / name
        folder.mkdir(parents=True)
        for path in files:  # the whole study, so the picker shows the whole codebook
            shutil.copyfile(path, folder / path.name)
        assert cli(["to-notebook", "-q", str(folder)]) == 0
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(lab.root / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(STEP)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser, lab, request):
    """A fresh page, fresh kernels; a screenshot and the server log when the test fails."""
    lab.shutdown_sessions()
    page = browser.new_page()
    page.set_viewport_size({"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:  # the call failed (logged before teardown)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-failure.png"))
        print(f"JupyterLab log:\n{lab.log_tail()}\npage errors: {errors}")
    page.close()


# -- helpers ---------------------------------------------------------------------------


def cell(index: int) -> str:
    return f"{CELLS}[data-windowed-list-index='{index}']"


def notebook_cells(lab: Lab, path: str) -> list[dict]:
    return json.loads((lab.work / path).read_text(encoding="utf-8"))["cells"]


def trace_indices(cells: list[dict]) -> list[int]:
    return [n for n, c in enumerate(cells) if "".join(c["source"]).startswith("%%code\n")]


def open_notebook(page, lab: Lab, path: str) -> None:
    """Open a notebook alone, wait for its kernel, run the setup cell from the keyboard."""
    page.goto(lab.url(f"lab/tree/{path}", reset=True))
    page.wait_for_selector(CELLS)
    # the execution indicator says idle before there is a kernel: the status bar knows
    page.wait_for_function(
        """() => {
            const bar = document.querySelector("#jp-main-statusbar");
            return bar && !bar.innerText.includes("No Kernel")
                   && /\\| Idle/.test(bar.innerText);
        }"""
    )
    page.locator(f"{cell(0)} .jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")
    wait_for_prompt(page, 0)


def wait_for_prompt(page, index: int) -> None:
    """Until cell ``index`` has run (its prompt shows a number)."""
    page.wait_for_function(
        """(selector) => {
            const prompt = document.querySelector(selector + " .jp-InputPrompt");
            return prompt && /\\[\\d+\\]/.test(prompt.textContent);
        }""",
        arg=cell(index),
    )


def active_index(page) -> int:
    return int(page.locator(f"{CELLS}.jp-mod-active").get_attribute("data-windowed-list-index"))


def focus_in_picker(page) -> bool:
    return page.evaluate(
        """() => !!(document.activeElement && document.activeElement.closest
                    && document.activeElement.closest(".jc-picker"))"""
    )


def select_cell(page, index: int) -> None:
    """Make a cell the active one, in command mode."""
    page.locator(f"{cell(index)} .jp-InputPrompt").click()
    assert active_index(page) == index


def run_all(page, cells: list[dict]) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    for index, item in enumerate(cells):
        if item["cell_type"] == "code":
            wait_for_prompt(page, index)
    page.wait_for_function(
        """() => !Array.from(document.querySelectorAll(".jp-InputPrompt"))
                   .some((p) => p.textContent.includes("*"))"""
    )


def cli_counts(folder: Path, tmp: Path) -> dict[str, tuple[int, int]]:
    """identifier -> (uses, sources), as ``jupyter-coding codebook`` says."""
    out = tmp / "codebook.json"
    assert cli(["codebook", str(folder), "--format", "json", "-o", str(out)]) == 0
    return {e["identifier"]: (e["uses"], e["sources"]) for e in json.loads(out.read_text())}


# -- 1 and 3. Shift+Enter and Run All never stop at a picker; Ctrl+Enter reaches it; --------
# -- the counts after running the notebook (twice) equal the CLI's ------------------------


def wait_for_picker_focus(page, index: int) -> None:
    page.wait_for_function(
        """(selector) => document.activeElement
            && document.activeElement.closest(selector + " .jc-picker")""",
        arg=cell(index),
    )


def codebook_in_a_new_cell(page, after: int) -> dict[str, tuple[int, int]]:
    """Add a cell below ``after``, run ``%codebook`` in it, read the table."""
    select_cell(page, after)
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type("%codebook")
    page.keyboard.press("Shift+Enter")
    page.locator(f"{cell(after + 1)} table.jc-codebook").wait_for()
    rows = page.eval_on_selector_all(
        f"{cell(after + 1)} table.jc-codebook tbody tr",
        "(rows) => rows.map((r) => Array.from(r.cells).map((c) => c.textContent))",
    )
    return {row[0]: (int(row[3]), int(row[4])) for row in rows}


def picker_rows(page, index: int, query: str) -> list[tuple[str, int]]:
    """Type ``query`` in the focused picker of cell ``index``; (code, uses) of its rows."""
    page.keyboard.type(query, delay=30)
    page.locator(f"{cell(index)} .jc-match").first.wait_for()
    page.wait_for_timeout(300)
    rows = page.eval_on_selector_all(
        f"{cell(index)} .jc-match",
        "(rows) => rows.map((r) => [r.dataset.code, r.querySelector('.jc-count').textContent])",
    )
    return [(code, int(text.split()[-2])) for code, text in rows]


def test_shift_enter_run_all_and_the_counts(page, lab: Lab, tmp_path):
    path = "corpus/s_9.ipynb"
    expected = cli_counts(lab.work / "corpus", tmp_path)
    cells = notebook_cells(lab, path)
    traces = trace_indices(cells)
    assert len(traces) == 6 and traces[-1] == len(cells) - 1  # it ends with a trace
    open_notebook(page, lab, path)
    # Run All from the menu: the last cell, a trace, is the active one at the end
    run_all(page, cells)
    page.wait_for_timeout(600)
    assert active_index(page) == len(cells) - 1
    assert not focus_in_picker(page), "Run All left the focus in the last picker"

    # Shift+Enter from the top: the end in as many presses as cells
    select_cell(page, 0)
    presses = 0
    for index in range(len(cells)):
        assert active_index(page) == index
        page.keyboard.press("Shift+Enter")
        presses += 1
        if index in traces:
            page.locator(f"{cell(index)} .jc-picker .jc-search input").wait_for()
            page.wait_for_timeout(400)  # a picker that grabbed the focus would have by now
            assert not focus_in_picker(page), f"the picker of cell {index} took the focus"
    # (Shift+Enter on the last cell adds one below)
    assert presses == len(cells) and active_index(page) == len(cells)
    assert page.locator(f"{NOTEBOOK} .jc-trace").count() == len(traces)
    # each trace carries a folded picker: one search box, nothing else drawn
    heights = page.eval_on_selector_all(
        f"{NOTEBOOK} .jc-picker", "(els) => els.map((e) => e.getBoundingClientRect().height)"
    )
    assert len(heights) == len(traces) and max(heights) < 60, heights
    page.locator(cell(traces[-1])).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "shift-enter-to-the-end.png"))

    # every trace ran twice (and the last one three times): the counts are the CLI's
    assert codebook_in_a_new_cell(page, len(cells)) == expected

    # one key reaches the picker: Ctrl+Enter runs the trace cell and stays on it
    select_cell(page, traces[1])
    page.keyboard.press("Control+Enter")
    wait_for_picker_focus(page, traces[1])
    rows = picker_rows(page, traces[1], "data")
    assert rows and all(uses == expected[code][0] for code, uses in rows), rows
    first = page.locator(f"{cell(traces[1])} .jc-picker-body")
    first.wait_for(state="visible")
    # one picker open at a time: opening the next folds this one
    select_cell(page, traces[2])
    page.keyboard.press("Control+Enter")
    wait_for_picker_focus(page, traces[2])
    page.keyboard.type("data", delay=30)
    page.locator(f"{cell(traces[2])} .jc-picker-body").wait_for(state="visible")
    first.wait_for(state="hidden")
    # a code this file defines is listed at its definition in the file, once
    page.keyboard.press("Control+a")
    page.keyboard.type("central_data_product_catalogue", delay=20)
    page.locator(
        f"{cell(traces[2])} .jc-detail", has_text="central_data_product_catalogue"
    ).wait_for()
    detail = page.locator(f"{cell(traces[2])} .jc-detail").inner_text()
    assert "(s_9.md:" in detail, detail
    assert "cell of this notebook" not in detail and "<cell>" not in detail


def test_counts_in_the_second_dialect(page, lab: Lab, tmp_path):
    """``labels/s_4.md`` claims the id of ``s_3.md`` and is read as s4."""
    path = "labels/s_4.ipynb"
    expected = cli_counts(lab.work / "labels", tmp_path)
    cells = notebook_cells(lab, path)
    open_notebook(page, lab, path)
    run_all(page, cells)
    run_all(page, cells)
    assert codebook_in_a_new_cell(page, len(cells) - 1) == expected
    trace = trace_indices(cells)[-1]
    select_cell(page, trace)
    page.keyboard.press("Control+Enter")
    wait_for_picker_focus(page, trace)
    rows = picker_rows(page, trace, "review")
    assert rows and all(uses == expected[code][0] for code, uses in rows), rows
    page.screenshot(path=str(ARTIFACTS / "counts-labels-s_4.png"))


# -- 2 and 4. the layout at 1400 px and at 1000 px with the file browser open; -------------
# -- the evidence of other sources, and opening it ---------------------------------------

BOXES = """(selector) => {
    const root = document.querySelector(selector);
    const box = (element) => {
        const b = element.getBoundingClientRect();
        return { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
    };
    const matches = root.querySelector(".jc-matches-view");
    const detail = root.querySelector(".jc-detail-view");
    const scroller = root.closest(".jp-WindowedPanel-outer") || root.closest(".jp-Notebook");
    return {
        cell: box(root),
        picker: box(root.querySelector(".jc-picker")),
        matches: box(matches),
        detail: box(detail),
        rows: Array.from(root.querySelectorAll(".jc-match")).map((row) => ({
            code: row.dataset.code,
            row: box(row),
            name: box(row.querySelector(".jc-name")),
            count: box(row.querySelector(".jc-count")),
            overflow: row.scrollWidth - row.clientWidth,
        })),
        quotes: Array.from(detail.querySelectorAll(".jc-evidence")).map(box),
        pageOverflow: scroller.scrollWidth - scroller.clientWidth,
    };
}"""


def assert_no_overlap(boxes: dict, where: str) -> None:
    matches, detail = boxes["matches"], boxes["detail"]
    across = min(matches["right"], detail["right"]) - max(matches["left"], detail["left"])
    down = min(matches["bottom"], detail["bottom"]) - max(matches["top"], detail["top"])
    assert not (across > 0.5 and down > 0.5), f"{where}: matches and detail overlap: {boxes}"
    assert boxes["rows"], where
    for row in boxes["rows"]:
        # the use count stays whole, inside its row, and the row inside the matches column
        assert row["overflow"] <= 1, (where, row)
        assert row["count"]["right"] <= row["row"]["right"] + 0.5, (where, row)
        assert row["name"]["right"] <= row["count"]["left"] + 0.5, (where, row)
        assert row["row"]["right"] <= matches["right"] + 0.5, (where, row)
    for quote in boxes["quotes"]:
        assert detail["left"] - 0.5 <= quote["left"] and quote["right"] <= detail["right"] + 0.5
    assert boxes["picker"]["right"] <= boxes["cell"]["right"] + 0.5, where
    assert boxes["pageOverflow"] <= 1, f"{where}: the notebook scrolls sideways"


def k8s_trace(cells: list[dict]) -> int:
    """The trace after the "Infrastructure" quote of s_43 (its memo: Familiar option: k8s)."""
    return next(
        n for n in trace_indices(cells) if "Familiar option: k8s\n" in "".join(cells[n]["source"])
    )


def test_picker_layout_and_evidence(page, lab: Lab):
    path = "corpus/s_43.ipynb"
    cells = notebook_cells(lab, path)
    target = k8s_trace(cells)
    here = page.locator(cell(target))
    open_notebook(page, lab, path)
    select_cell(page, target)
    page.keyboard.press("Control+Enter")
    wait_for_picker_focus(page, target)
    page.keyboard.type("catalog", delay=40)  # long labels among the matches
    here.locator(".jc-match.jc-highlight[data-code='data_catalogue']").wait_for()
    here.locator(".jc-evidence").first.wait_for()
    here.locator(".jc-picker").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    assert page.locator("#filebrowser").is_visible()
    assert_no_overlap(page.evaluate(BOXES, cell(target)), "1400 px")
    page.screenshot(path=str(ARTIFACTS / "picker-1400.png"))

    page.set_viewport_size({"width": 1000, "height": 900})
    page.wait_for_timeout(500)
    assert page.locator("#filebrowser").is_visible()  # the file browser is open
    here.locator(".jc-picker").scroll_into_view_if_needed()
    assert_no_overlap(page.evaluate(BOXES, cell(target)), "1000 px with the file browser")
    page.screenshot(path=str(ARTIFACTS / "picker-1000-file-browser.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})

    # the evidence of the code this trace applies: quotes of other sources, nearest first
    page.locator(f"{cell(target)} .jc-search input").fill("k8s")
    here.locator(".jc-match.jc-highlight[data-code='k8s']").wait_for()
    here.locator(".jc-detail", has_text="k8s").wait_for()
    quotes = here.locator(".jc-evidence")
    quotes.first.wait_for()
    assert quotes.count() == 3
    wheres = [quotes.nth(n).locator(".jc-where").inner_text() for n in range(3)]
    assert all("s_43.md" not in where for where in wheres), wheres
    assert len({where.split(" · ")[0] for where in wheres}) == 3  # three other sources
    heading = here.locator(".jc-detail").inner_text()
    assert "other sources, nearest to this cell's quote first" in heading
    here.locator(".jc-picker button", has_text="More evidence").click()
    here.locator(".jc-evidence").nth(5).wait_for()
    here.locator(".jc-detail").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "evidence.png"))
    # open the first quote where it stands: its notebook, at its cell
    link = quotes.first.locator("a.jc-link")
    name = link.inner_text().split(" · ")[1].split(":")[0].replace(".md", ".ipynb")
    text = " ".join(quotes.first.inner_text().split())[:40]
    link.click()
    page.locator(".lm-TabBar-tab.lm-mod-current", has_text=name).wait_for()
    # JupyterLab selects the cell of the link's #cell-id and scrolls to it
    opened = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell.jp-mod-selected"
    shows = """([selector, text]) => {
        const panel = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)");
        const view = panel.getBoundingClientRect();
        return Array.from(document.querySelectorAll(selector)).some((selected) => {
            const box = selected.getBoundingClientRect();
            return selected.innerText.replace(/\\s+/g, " ").includes(text)
                && box.top >= view.top && box.top < view.bottom - 40;
        });
    }"""
    quoted = [opened, text.removesuffix("…").strip()[:30]]
    page.wait_for_function(shows, arg=quoted)
    page.wait_for_timeout(2500)  # once the cells above are measured, it is still in view
    assert page.evaluate(shows, quoted), "the quote's cell drifted out of view"
    page.screenshot(path=str(ARTIFACTS / "evidence-opened.png"))


# -- 5. the whole loop: pick with the keyboard, write the pick, save, export -------------

TRACE_BEFORE = (
    "Familiar option: k8s\n\n**AXIAL CODING TRACE:**\n\nadd codes to s43: \n``` python \n"
    "    '''\n        k8s,\n        infrastructure_as_code\n    '''\n"
)
TRACE_AFTER = (
    "Familiar option: k8s, data_catalogue\n\n**AXIAL CODING TRACE:**\n\nadd codes to s43: \n"
    "``` python \n    '''\n        k8s,\n        infrastructure_as_code,\n        data_catalogue\n"
    "    '''\n"
)


def _cell_text(page, index: int) -> str:
    return page.locator(f"{cell(index)} .jp-Editor .cm-content").inner_text()


def test_pick_a_code_with_the_keyboard_and_export_it(page, lab: Lab):
    path = "corpus/s_43.ipynb"
    notebook = lab.work / path
    markdown = notebook.with_suffix(".md")
    original = read_exact(CORPUS / "s_43.md")
    assert read_exact(markdown) == original and original.count(TRACE_BEFORE) == 1
    cells = notebook_cells(lab, path)
    target = next(
        n for n in trace_indices(cells) if "Familiar option: k8s\n" in "".join(cells[n]["source"])
    )
    open_notebook(page, lab, path)
    # down to the trace cell in command mode; Ctrl+Enter runs it and goes to its picker
    for _ in range(target - 1):
        page.keyboard.press("ArrowDown")
    assert active_index(page) == target
    assert "Familiar option: k8s" in _cell_text(page, target)
    page.keyboard.press("Control+Enter")
    here = page.locator(cell(target))
    here.locator(".jc-trace").wait_for()
    page.wait_for_function(
        """() => document.activeElement && document.activeElement.tagName === "INPUT"
                 && document.activeElement.closest(".jc-picker") !== null"""
    )
    # type: the matches follow; the top one is highlighted with its definition and evidence
    page.keyboard.type("catalog", delay=60)
    here.locator(".jc-match.jc-highlight[data-code='data_catalogue']").wait_for()
    here.locator(".jc-detail .jc-evidence").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "picker-matches.png"))
    # Enter picks it; Tab leaves the search box; Ctrl+Enter runs the cell again
    page.keyboard.press("Enter")
    here.locator(".jc-picked .jc-chip", has_text="data_catalogue").wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        """(selector) => {
            const editor = document.querySelector(selector + " .jp-Editor .cm-content");
            return editor && editor.innerText.includes("data_catalogue");
        }""",
        arg=cell(target),
    )
    text = _cell_text(page, target)
    assert "Familiar option: k8s, data_catalogue" in text
    assert text.count("data_catalogue") == 2  # memo and add codes, picked once
    # the new run shows the code applied, and its fresh picker has the focus again
    here.locator(".jc-trace", has_text="data_catalogue").wait_for()
    page.wait_for_function(
        """() => document.activeElement && document.activeElement.closest(".jc-picker")"""
    )
    page.screenshot(path=str(ARTIFACTS / "picker-in-jupyterlab.png"))
    # save from the keyboard (outside the search box, which keeps its keys to itself)
    page.keyboard.press("Tab")
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + STEP / 1000
    while "data_catalogue" not in "".join(notebook_cells(lab, path)[target]["source"]):
        assert time.monotonic() < deadline, "the notebook was not saved"
        time.sleep(0.25)
    # to-markdown writes the pick at its trace, changing nothing else
    assert cli(["to-markdown", "-q", str(notebook)]) == 0
    assert read_exact(markdown) == original.replace(TRACE_BEFORE, TRACE_AFTER)
