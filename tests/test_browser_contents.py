"""A corpus .md opened with Open With > Field Notes in a real JupyterLab, coded, saved as the .md.

JupyterLab runs as in ``test_browser`` (127.0.0.1, a token, isolated Jupyter folders,
Debian's Chromium through Playwright, never a downloaded browser), on a copy of the
whole corpus with no notebook in it. The JupyterLab extension is the prebuilt one the
package installs, the contents manager the server extension the package enables.
The researcher's loop: right-click ``s_43.md`` > Open With > Field Notes, run the
setup cell, go down to a quote with the arrow keys, add a cell below (``B``), type a
``%%code`` trace, run it (the study's codebook answers), save with Ctrl+S. The
``.md`` on disk must be the original plus exactly that trace, and no ``.ipynb`` may
appear. Then the file is changed on disk and saved again from the notebook: it must
be kept, with JupyterLab showing why and where the notebook's text went.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_coding.common.files import find_field_notes
from jupyter_coding.fieldnotes import parse
from jupyter_coding.fieldnotes.canonical import Trace, render_trace
from jupyter_coding.fieldnotes.dialect import Dialect
from jupyter_coding.notebooks.convert import to_notebook
from jupyter_coding.notebooks.export import ALTERNATE_SUFFIX

from .conftest import CORPUS, corpus_files, read_exact
from .test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, STEP, Lab, browser_ready  # noqa: F401
from .test_contents import quote_pair

pytestmark = pytest.mark.browser

NAME = "s_43.md"
TYPED = "%%code\nfamiliar: k8s, data_catalogue"


@pytest.fixture(scope="module")
def lab(browser_ready, tmp_path_factory) -> Iterator[Lab]:  # noqa: F811
    root = tmp_path_factory.mktemp("fieldnotes-lab")
    server = Lab(root)
    server.work.mkdir()
    for path in corpus_files():  # the whole study: %%code checks against its codebook
        shutil.copyfile(path, server.work / path.name)
    # jupytext (the bench extra brings it) lists every .md as a notebook and claims it with a
    # file type of its own; this is JupyterLab as a plain install has it (test_contents
    # checks that field notes stay ours with jupytext's server side on)
    config = root / "jupyter_config_dir"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"jupyterlab-jupytext": True}}), encoding="utf-8"
    )
    (config / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"jupyterlab_jupytext": False}}}),
        encoding="utf-8",
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def expected_after_trace(work: Path) -> tuple[int, str]:
    """The cell to add the trace after, and the markdown the save must give."""
    original = read_exact(work / NAME)
    notebook = to_notebook(parse(original))
    index, quote, following = quote_pair(notebook)
    dialect = Dialect.of_files(find_field_notes([work]))
    codes = ["k8s", "data_catalogue"]
    open_text, axial_text = render_trace(
        Trace(code_lists=[("Familiar option", codes)], attached=codes, target="s43"), dialect
    )
    block = (open_text + "\n" + axial_text).strip("\n")
    join = quote + "\n\n" + following
    assert original.count(join) == 1
    return index, original.replace(join, quote + "\n\n" + block + "\n\n" + following)


def wait_for(condition, what: str, seconds: float = STEP / 1000) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.25)


def notebooks_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.ipynb"))


def test_open_with_field_notes_code_and_save_writes_only_the_md(lab: Lab):
    from playwright.sync_api import sync_playwright

    markdown = lab.work / NAME
    assert read_exact(markdown) == read_exact(CORPUS / NAME)
    target, expected = expected_after_trace(lab.work)
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
            open_with_field_notes(page, lab)
            code_a_quote(page, target)
            # Shift+Enter moved on (a picker takes the focus only after Ctrl+Enter): Ctrl+S
            page.keyboard.press("Control+s")
            wait_for(lambda: read_exact(markdown) != read_exact(CORPUS / NAME), "not saved")
            wait_for(lambda: read_exact(markdown) == expected, "the .md is not the expected one", 5)
            page.screenshot(path=str(ARTIFACTS / "field-notes-saved.png"))
            assert notebooks_in(lab.work) == []
            refused_when_changed_on_disk(page, lab)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "field-notes-failure.png"))
            print(f"JupyterLab log:\n{lab.log_tail()}\npage errors: {errors}")
            raise
        finally:
            context.close()
    assert notebooks_in(lab.work) == []


def open_with_field_notes(page, lab: Lab) -> None:
    page.goto(lab.url("lab"))
    name = page.locator(".jp-DirListing-itemText", has_text=NAME)
    item = page.locator(".jp-DirListing-item", has=name).first
    item.wait_for()
    # the server told the extension which files are field notes: they have their own type
    page.wait_for_selector(
        f".jp-DirListing-item[data-file-type='jupyter-coding-field-notes'][title*='{NAME}']"
    )
    item.click(button="right")
    page.locator(".lm-Menu-item", has_text="Open With").hover()
    choice = page.locator(".lm-Menu-item .lm-Menu-itemLabel", has_text="Field Notes")
    choice.wait_for()
    page.screenshot(path=str(ARTIFACTS / "field-notes-open-with.png"))
    choice.click()
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell")
    page.wait_for_function(
        """() => {
            const bar = document.querySelector("#jp-main-statusbar");
            return bar && !bar.innerText.includes("No Kernel") && /\\| Idle/.test(bar.innerText);
        }"""
    )
    tab = page.locator(".lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel")
    assert tab.inner_text() == NAME


def code_a_quote(page, target: int) -> None:
    cells = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
    page.locator(f"{cells}[data-windowed-list-index='0'] .jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")  # %load_ext jupyter_coding
    page.wait_for_function(
        """() => {
            const prompt = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden) "
                + ".jp-Cell[data-windowed-list-index='0'] .jp-InputPrompt");
            return prompt && prompt.textContent.includes("[1]");
        }"""
    )
    page.screenshot(path=str(ARTIFACTS / "field-notes-opened.png"))
    for _ in range(target - 1):  # Shift+Enter moved to cell 1
        page.keyboard.press("ArrowDown")
    active = page.locator(f"{cells}.jp-mod-active")
    assert active.get_attribute("data-windowed-list-index") == str(target)
    page.keyboard.press("b")  # a new cell below the quote
    page.keyboard.press("Enter")
    first, second = TYPED.split("\n")
    page.keyboard.type(first, delay=20)
    page.keyboard.press("Enter")
    page.keyboard.type(second, delay=20)
    page.keyboard.press("Shift+Enter")  # run it: the kernel finds the study from the .md
    new = page.locator(f"{cells}[data-windowed-list-index='{target + 1}']")
    new.locator(".jc-trace", has_text="applies to s43").wait_for()
    new.locator(".jc-picker input[type='text']").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "field-notes-trace.png"))


def refused_when_changed_on_disk(page, lab: Lab) -> None:
    """The .md changed elsewhere, the notebook saves anyway: the file is kept, and JupyterLab
    says why."""
    markdown = lab.work / NAME
    changed = markdown.read_bytes() + b"\n> typed in another editor meanwhile\n"
    markdown.write_bytes(changed)
    # back to the notebook in command mode (the focus may have stayed in the picker)
    cells = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
    page.locator(f"{cells}.jp-mod-active .jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    # JupyterLab sees the new hash first and asks; overwriting reaches the server's guard
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for()
    page.screenshot(path=str(ARTIFACTS / "field-notes-file-changed.png"))
    dialog.locator("button", has_text="Overwrite").click()
    error = page.locator(".jp-Dialog", has_text="changed on disk since it was opened here")
    error.wait_for()
    page.screenshot(path=str(ARTIFACTS / "field-notes-refused.png"))
    assert f"{NAME}{ALTERNATE_SUFFIX}" in error.inner_text()
    assert markdown.read_bytes() == changed
    assert read_exact(lab.work / f"{NAME}{ALTERNATE_SUFFIX}") == read_exact(
        lab.work / NAME
    ).removesuffix("\n> typed in another editor meanwhile\n")
    error.locator("button").last.click()
