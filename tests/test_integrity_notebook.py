"""Issue 10, notebook half: no text lost on the way through a notebook, no traceback.

D1 ``%%code`` lines in markdown, D5 cells that say ``kind: setup``, D6 quote cells made
code cells, metadata of the wrong type, lone surrogates; and a seeded fuzz test that
mutates real files and asserts markdown -> notebook -> JSON -> notebook -> markdown is
exact.
"""

from __future__ import annotations

import json
import random
import shutil

import pytest
from nbformat import v4

from jupyter_coding.cli import main
from jupyter_coding.fieldnotes import FieldNotesError, parse, split_lines
from jupyter_coding.notebooks import json_text as notebook_text
from jupyter_coding.notebooks.convert import (
    METADATA_KEY,
    SETUP_SOURCE,
    cell_kind,
    export_markdown,
    notebook_json,
    read_notebook,
    round_trip,
    to_markdown,
    to_notebook,
)
from jupyter_coding.notebooks.verify import first_difference

from .conftest import EXAMPLES, SEED, corpus_files, read_exact
from .test_notebook_commands import write_record  # noqa: F401 (autouse: a record of our own)


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def through_json(notebook):
    return read_notebook(notebook_json(notebook))


def notebook_file(tmp_path, text: str, name: str = "s_9.md"):
    """A markdown file and its notebook made by ``to-notebook``, on disk."""
    markdown = tmp_path / name
    markdown.write_bytes(text.encode("utf-8"))
    assert main(["to-notebook", "-q", str(markdown)]) == 0
    return markdown, markdown.with_suffix(".ipynb")


def rewrite(path, change) -> None:
    """Change a notebook's JSON as data (what a front end or a text editor saves)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")


# -- D1: a %%code line in markdown is text --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "%%code\nhello\n",
        "> a quote\n\n%%code\nhello\n\n> another\n",
        "%%code\n",
        "%%code",
        "  %%code  \nfamiliar: a, b\n",
        "\n%%code\nmemo: looks concise\n",
    ],
)
def test_a_code_magic_line_in_markdown_comes_back(text):
    assert round_trip(text) == text


def test_verify_and_to_markdown_keep_a_code_magic_line(tmp_path, capsys):
    markdown, notebook = notebook_file(tmp_path, "%%code\nhello\n", "x.md")
    code, out, _ = run(capsys, "verify", markdown)
    assert code == 0, out
    code, out, err = run(capsys, "to-markdown", notebook)
    assert (code, err) == (0, "")
    assert out == f"{markdown}: unchanged\n"
    assert markdown.read_bytes() == b"%%code\nhello\n"


def test_a_trace_cell_turned_into_markdown_still_loses_only_its_magic():
    text = read_exact(EXAMPLES / "s_1.md")
    notebook = through_json(to_notebook(parse(text)))
    trace = next(cell for cell in notebook.cells if cell_kind(cell) == "trace")
    trace.cell_type = "markdown"  # JupyterLab's M key
    del trace["outputs"], trace["execution_count"]
    assert to_markdown(notebook) == text


# -- D5: only the real setup cell is left out -------------------------------------------------


def test_cells_marked_setup_are_exported_unless_they_are_the_extension_load():
    text = read_exact(EXAMPLES / "s_1.md")
    notebook = through_json(to_notebook(parse(text)))
    setup = {METADATA_KEY: {"kind": "setup"}}
    pasted_quote = v4.new_markdown_cell("> A quote pasted into a copy of the first cell.")
    pasted_trace = v4.new_code_cell("%%code\nfamiliar: reviewer_rotation")
    scratch = v4.new_code_cell("import pandas")
    extension_again = v4.new_code_cell(SETUP_SOURCE)
    made_markdown = v4.new_markdown_cell(SETUP_SOURCE)  # the setup cell after the M key
    for cell in (pasted_quote, pasted_trace, scratch, extension_again, made_markdown):
        cell.metadata = json.loads(json.dumps(setup))
    notebook.cells += [pasted_quote, pasted_trace, scratch, extension_again, made_markdown]
    export = export_markdown(notebook)
    assert export.text.startswith(text)
    added = export.text[len(text) :]
    assert "> A quote pasted into a copy of the first cell.\n" in added
    assert "reviewer_rotation" in added and "**OPEN CODING TRACE:**" in added
    assert "import pandas" not in added and SETUP_SOURCE not in added
    count = len(notebook.cells)
    assert export.left_out == [
        f"cell {count - 2}: a code cell without %%code is not part of the field notes; left out"
    ]


# -- D6: a block turned into a code cell keeps its text -----------------------------------------


def test_a_quote_cell_made_a_code_cell_keeps_its_text(tmp_path, capsys):
    text = read_exact(EXAMPLES / "s_1.md")
    markdown, notebook = notebook_file(tmp_path, text, "s_1.md")

    def quote_to_code(document):
        cell = next(c for c in document["cells"] if "".join(c["source"]).startswith("> For years"))
        cell.update(cell_type="code", execution_count=None, outputs=[])

    rewrite(notebook, quote_to_code)
    code, out, err = run(capsys, "to-markdown", notebook)
    assert code == 0
    assert out == f"{markdown}: unchanged\n"  # nothing lost: the bytes are the same
    assert markdown.read_text(encoding="utf-8") == text
    assert "a code cell without %%code holds a block of the markdown (quote)" in err
    assert "its text is kept" in err and err.count("\n") == 1


def test_a_trace_cell_without_its_magic_keeps_its_text():
    text = read_exact(EXAMPLES / "s_1.md")
    notebook = through_json(to_notebook(parse(text)))
    trace = next(cell for cell in notebook.cells if cell_kind(cell) == "trace")
    trace.source = trace.source.removeprefix("%%code\n")
    export = export_markdown(notebook)
    assert export.text == text
    assert len(export.kept) == 1 and "(trace)" in export.kept[0]


# -- notebooks someone edited by hand: one line, never a traceback ------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("markdown", 5, "jupyter_coding.markdown is 5 (a number), not text"),
        ("markdown", ["a.md"], "jupyter_coding.markdown is ['a.md'] (a list), not text"),
        ("markdown", "s_2\x00.md", "jupyter_coding.markdown is 's_2\\x00.md', not a file name"),
        ("markdown", "../", "jupyter_coding.markdown is '../', not a file name"),
        ("markdown", "/", "jupyter_coding.markdown is '/', not a file name"),
        ("markdown", "sub/.", "jupyter_coding.markdown is 'sub/.', not a file name"),
        ("leading", 5, "jupyter_coding.leading is 5 (a number), not text"),
        ("sha256", {"x": 1}, "jupyter_coding.sha256 is {'x': 1} (a mapping), not text"),
        (None, "x", "notebook metadata jupyter_coding is 'x' (text), not a mapping"),
    ],
)
def test_metadata_of_the_wrong_type_is_a_one_line_error(tmp_path, capsys, field, value, expected):
    markdown, notebook = notebook_file(tmp_path, read_exact(EXAMPLES / "s_2.md"), "s_2.md")
    before = markdown.read_bytes()

    def spoil(document):
        if field is None:
            document["metadata"][METADATA_KEY] = value
        else:
            document["metadata"][METADATA_KEY][field] = value

    rewrite(notebook, spoil)
    code, _, err = run(capsys, "to-markdown", notebook)
    assert code == 1
    assert err.startswith(f"jupyter-coding to-markdown: {notebook}: ")
    assert expected in err and err.count("\n") == 1
    assert markdown.read_bytes() == before


def test_a_lone_surrogate_is_a_one_line_error_naming_the_cell(tmp_path, capsys):
    markdown, notebook = notebook_file(tmp_path, read_exact(EXAMPLES / "s_2.md"), "s_2.md")
    before = markdown.read_bytes()
    raw = notebook.read_text(encoding="utf-8")
    document = json.loads(raw)
    number = next(
        n for n, c in enumerate(document["cells"], 1) if "".join(c["source"]).startswith(">")
    )
    cell = document["cells"][number - 1]
    cell["source"] = ["> first line\n", "> broken PLACEHOLDER here\n"]
    # the JSON escape a front end or a script may write: valid JSON, not valid Unicode
    notebook.write_text(json.dumps(document).replace("PLACEHOLDER", "\\ud800"), encoding="utf-8")
    code, _, err = run(capsys, "to-markdown", notebook)
    assert code == 1
    assert err.startswith(f"jupyter-coding to-markdown: {notebook}: cell {number}, line 2: ")
    assert "U+D800" in err and err.count("\n") == 1
    assert markdown.read_bytes() == before


# -- the fuzz test: mutated real files come back exactly through the notebook -----------------

# a small study in another dialect (FORMAT.md section 12): labels as memos, added: only,
# an AXIAL CODING TRACE: over the source block, empty markers as placeholders, a second
# "# coding", CRLF lines
DIALECT = (
    "# s \r\n34\r\n## url\r\nhttps://example.org/34\r\n## tiny url\r\n\r\n## archive url\r\n\r\n"
    "## title\r\nOn engines\r\n## source code\r\nno\r\n## example\r\nno\r\n"
    "## source type \r\nSlides\r\n## author type\r\nVendor\r\n## references\r\n\r\n"
    "**AXIAL CODING TRACE:**\r\n``` python\r\n"
    's34 = CClass(source, "s34", values={"title": "On engines"})\r\n```\r\n\r\n# coding\r\n\r\n'
    "**OPEN CODING TRACE:**\r\n\r\n**AXIAL CODING TRACE:**\r\n\r\n"
    "> The engine scales out on demand.\r\n\r\n"
    "**OPEN CODING TRACE:**\r\n\r\nElastic Performance Engine\r\nAd hoc exploration\r\n\r\n"
    "**AXIAL CODING TRACE:**\r\n\r\nadded:\r\n``` python\r\n"
    '    elastic_engine = CClass(practice, "Elastic Performance Engine")\r\n'
    "    ad_hoc_exploration\r\n```\r\n\r\n# coding\r\n> Second part.\r\n"
)

MUTATIONS = [
    "\x0b",
    "\x0c",
    "\r",
    "\r\n",
    "\u2028",
    "\u2029",
    "\x85",
    "\ufeff",
    "```\n",
    "``` python\n",
    "~~~\n",
    "**OPEN CODING TRACE:**\n",
    "**AXIAL CODING TRACE:**\n",
    "> **OPEN CODING TRACE:**\n",
    "added:\n",
    "add codes to s1: \n",
    "    '''\n",
    "# coding\n",
    "> \n",
    "\n",
    "  \n",
    "%%code\n",
    "%%code",
    "  %%code  \n",
    "%%Code\n",
    "%load_ext jupyter_coding\n",
    "memo: looks concise\n",
    "familiar: a, b\n",
    'new: x = CClass(force, "X")\n',
    "# a comment\n",
]


def mutate(rng: random.Random, text: str) -> str:
    """Delete, duplicate and insert lines, and put tricky pieces inside lines."""
    lines = split_lines(text)
    for _ in range(rng.randint(1, 8)):
        if not lines:
            lines = [""]
        at = rng.randrange(len(lines))
        roll = rng.random()
        if roll < 0.2:
            del lines[at]
        elif roll < 0.4:
            lines.insert(at, lines[at])
        elif roll < 0.75:
            lines.insert(at, rng.choice(MUTATIONS))
        else:
            line = lines[at]
            cut = rng.randint(0, len(line))
            lines[at] = line[:cut] + rng.choice(MUTATIONS) + line[cut:]
    return "".join(lines)


def test_mutated_files_come_back_exactly_through_the_notebook():
    sources = [read_exact(path) for path in (*corpus_files(), SEED)]
    sources += [read_exact(path) for path in sorted(EXAMPLES.glob("*_*.md"))]
    sources.append(DIALECT)
    rng = random.Random(10)  # seeded: a failure is reproducible
    for trial in range(1200):
        text = mutate(rng, rng.choice(sources))
        # as to-markdown reads notebooks (plain JSON data) ...
        got = round_trip(text)
        assert got == text, (trial, first_difference(text, got))
        if trial % 8 == 0:  # ... and as a front end does (nbformat), now and then
            document = notebook_json(to_notebook(parse(text)))
            assert to_markdown(read_notebook(document)) == text, trial
            assert to_markdown(notebook_text.loads(document)) == text, trial


def test_a_copied_study_in_another_dialect_round_trips_through_the_commands(tmp_path, capsys):
    study = tmp_path / "dialect"
    study.mkdir()
    (study / "s_34.md").write_bytes(DIALECT.encode("utf-8"))
    shutil.copy(EXAMPLES / "s_2.md", study)
    (study / "s_35.md").write_bytes(b"%%code\n" + DIALECT.encode("utf-8"))
    before = {path.name: path.read_bytes() for path in study.glob("*.md")}
    assert run(capsys, "to-notebook", "-q", study)[0] == 0
    code, out, err = run(capsys, "to-markdown", study)
    assert (code, err) == (0, "")
    assert "3 notebooks: 0 markdown files written, 3 unchanged" in out
    assert {path.name: path.read_bytes() for path in study.glob("*.md")} == before


def test_export_error_names_the_path_given():
    notebook = through_json(to_notebook(parse("> q\n")))
    notebook.metadata[METADATA_KEY]["source_id"] = 7
    with pytest.raises(FieldNotesError) as caught:
        export_markdown(notebook, "n.ipynb")
    assert str(caught.value) == (
        "n.ipynb: notebook metadata jupyter_coding.source_id is 7 (a number), not text"
    )
