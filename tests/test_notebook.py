"""markdown -> notebook -> markdown: exact for every real file, and edits change only their part."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat import v4

from jupyter_coding.common.files import sha256
from jupyter_coding.fieldnotes import AxialTrace, FieldNotesError, OpenTrace, parse, read
from jupyter_coding.notebooks.convert import (
    MAGIC,
    METADATA_KEY,
    SETUP_SOURCE,
    add_empty_cell,
    cell_kind,
    export_markdown,
    notebook_json,
    read_notebook,
    to_markdown,
    to_notebook,
    unsaved_changes,
)

from .conftest import CORPUS, EXAMPLES, SEED, read_exact, real_files
from .test_roundtrip import TEXT

EXAMPLE_FILES = sorted(EXAMPLES.glob("*_*.md"))


def through_json(notebook) -> nbformat.NotebookNode:
    """What a front end gets and saves: the notebook as JSON text, read back."""
    return read_notebook(notebook_json(notebook))


def notebook_of(path):
    text = read_exact(path)
    return text, through_json(to_notebook(parse(text, str(path))))


def index_of(notebook, start: str) -> int:
    """The cell whose source starts with ``start``."""
    found = [i for i, cell in enumerate(notebook.cells) if cell.source.startswith(start)]
    assert len(found) == 1, (start, found)
    return found[0]


@pytest.mark.parametrize("path", [*real_files(), *EXAMPLE_FILES], ids=lambda p: p.name)
def test_every_real_file_comes_back_byte_for_byte(path):
    _, notebook = notebook_of(path)
    nbformat.validate(notebook)
    assert to_markdown(notebook).encode("utf-8") == path.read_bytes()


@given(TEXT)
@settings(max_examples=300, deadline=None)
def test_any_text_comes_back_through_the_notebook(text):
    assert to_markdown(through_json(to_notebook(parse(text)))) == text


def test_seed_notebook_layout():
    notes = read(SEED)
    notebook = to_notebook(notes, "000_3cfeaea0a03c6785.txt")
    setup = notebook.cells[0]
    assert setup.cell_type == "code" and setup.source == SETUP_SOURCE
    kinds = [cell_kind(cell) for cell in notebook.cells]
    assert kinds[:5] == ["setup", "header", "source", "coding", "quote"]
    assert kinds.count("quote") == len(notes.quotes) == 17
    assert kinds.count("trace") == 12
    assert kinds.count("image") == 3
    assert kinds.count("template") == 2  # the unfilled template closing the file
    assert notebook.metadata[METADATA_KEY] == {
        "markdown": "000_3cfeaea0a03c6785.txt",
        "sha256": sha256(SEED.read_bytes()),
        "source_id": "s43",
        "format": 1,
    }
    assert notebook.metadata.kernelspec.name == "python3"


def test_cells_show_exactly_the_blocks_text():
    notes = read(CORPUS / "s_43.md")
    notebook = to_notebook(notes)
    traces = [cell for cell in notebook.cells if cell_kind(cell) == "trace"]
    pairs = list(notes.traces())
    assert len(traces) == len(pairs) == 9
    for cell, (open_trace, axial) in zip(traces, pairs, strict=True):
        assert isinstance(open_trace, OpenTrace) and isinstance(axial, AxialTrace)
        assert cell.cell_type == "code"
        body = open_trace.to_text() + axial.text
        assert cell.source == f"{MAGIC}\n{body.removesuffix(chr(10))}"
        assert cell.metadata[METADATA_KEY]["end"] == "\n" + "".join(axial.trailing)
    quotes = [cell for cell in notebook.cells if cell_kind(cell) == "quote"]
    assert [cell.source + "\n" for cell in quotes] == [quote.text for quote in notes.quotes]


def test_form_feeds_survive_nbformat_line_lists():
    path = CORPUS / "p_1.md"
    text = read_exact(path)
    document = json.loads(notebook_json(to_notebook(parse(text))))
    cell = next(c for c in document["cells"] if "Yeah \x0crst of all" in "".join(c["source"]))
    # nbformat cuts sources with str.splitlines, which breaks at the form feed too...
    assert len(cell["source"]) > "".join(cell["source"]).count("\n") + 1
    # ...but joining the pieces restores the text, so the file comes back whole
    assert to_markdown(read_notebook(json.dumps(document))) == text


def test_blank_lines_before_the_header_are_kept():
    text = "\n  \n# s \n9\n## url\nx\n"
    notebook = to_notebook(parse(text))
    assert notebook.metadata[METADATA_KEY]["leading"] == "\n  \n"
    assert to_markdown(through_json(notebook)) == text
    assert to_markdown(through_json(to_notebook(parse("\n\n\n")))) == "\n\n\n"


# -- edits in the notebook come back as the smallest change -----------------------------------

S43 = CORPUS / "s_43.md"
BENEFITS = "> All these benefits have been achieved"
TRACE_43 = (
    "**OPEN CODING TRACE:**\n\n"
    "Familiar option: single_subscription_separate_workspace_per_domain, request_access\n\n"
    "**AXIAL CODING TRACE:**\n\n"
    "add codes to s43: \n``` python \n    '''\n"
    "        single_subscription_separate_workspace_per_domain,\n"
    "        request_access,\n        unified_batch_stream\n    '''\n```\n\n"
)


def test_changing_a_quote_changes_only_that_quote():
    text, notebook = notebook_of(S43)
    cell = notebook.cells[index_of(notebook, BENEFITS)]
    cell.source = cell.source.replace("Obviously you need", "Of course you need")
    expected = text.replace("Obviously you need", "Of course you need", 1)
    assert expected != text
    assert to_markdown(through_json(notebook)) == expected


def test_adding_a_concise_trace_after_a_quote_writes_a_canonical_trace():
    text, notebook = notebook_of(S43)
    at = index_of(notebook, BENEFITS)
    notebook.cells.insert(
        at + 1,
        v4.new_code_cell(
            "%%code\nmemo: Access is self-served.\nfamiliar: request_access, data_catalogue\n"
        ),
    )
    quote_end = "more important in our view.\n\n"
    new_trace = (
        "**OPEN CODING TRACE:**\n\n"
        "Access is self-served.\n\n"
        "Familiar option: request_access, data_catalogue\n\n"
        "**AXIAL CODING TRACE:**\n\n"
        "add codes to s43: \n``` python \n    '''\n"
        "        request_access,\n        data_catalogue\n    '''\n```\n\n"
    )
    expected = text.replace(quote_end, quote_end + new_trace, 1)
    assert to_markdown(through_json(notebook)) == expected
    assert parse(expected).traces  # and it reads back as a trace
    added = [pair for pair in parse(expected).traces() if "data_catalogue" in pair[0].text]
    assert added[0][1].attached == ["request_access", "data_catalogue"]


def test_adding_a_plain_trace_keeps_the_text_and_normalises_the_separation():
    text, notebook = notebook_of(S43)
    at = index_of(notebook, BENEFITS)
    typed = "**OPEN CODING TRACE:**\n\nFamiliar option: request_access\n"
    notebook.cells.insert(at + 1, v4.new_code_cell(f"%%code\n\n\n{typed}\n\n"))
    quote_end = "more important in our view.\n\n"
    expected = text.replace(quote_end, quote_end + typed + "\n", 1)
    assert to_markdown(through_json(notebook)) == expected


def test_deleting_a_trace_removes_it_and_its_separator():
    text, notebook = notebook_of(S43)
    del notebook.cells[
        index_of(notebook, f"{MAGIC}\n**OPEN CODING TRACE:**\n\nFamiliar option: single")
    ]
    assert TRACE_43 in text
    assert to_markdown(through_json(notebook)) == text.replace(TRACE_43, "", 1)


def test_emptying_a_cell_deletes_its_block():
    text, notebook = notebook_of(S43)
    notebook.cells[
        index_of(notebook, f"{MAGIC}\n**OPEN CODING TRACE:**\n\nFamiliar option: single")
    ].source = "%%code\n"
    assert to_markdown(through_json(notebook)) == text.replace(TRACE_43, "", 1)


def test_changing_a_header_value_changes_that_line():
    text, notebook = notebook_of(S43)
    header = notebook.cells[1]
    assert cell_kind(header) == "header"
    header.source = header.source.replace(
        "## title\nTreating data as a product at Adevinta\n", "## title\nData as a product\n"
    )
    expected = text.replace(
        "## title\nTreating data as a product at Adevinta\n", "## title\nData as a product\n", 1
    )
    assert expected != text
    assert to_markdown(through_json(notebook)) == expected


def test_a_cell_added_after_the_last_line_of_a_file_without_final_newline():
    text, notebook = notebook_of(SEED)
    assert not text.endswith("\n")
    notebook.cells.append(v4.new_markdown_cell("> A quote added at the end."))
    assert to_markdown(through_json(notebook)) == text + "\n\n> A quote added at the end.\n"


def test_neighbours_of_a_deleted_block_stay_apart():
    # the trace follows the quote without a blank line; without the trace the two quotes
    # must not run together into one paragraph
    text = "> first quote\n**OPEN CODING TRACE:**\n\nmemo\n\n> second quote\n"
    notebook = through_json(to_notebook(parse(text)))
    del notebook.cells[2]
    assert to_markdown(notebook) == "> first quote\n\n> second quote\n"


def test_moved_cells_are_set_apart_by_a_blank_line():
    text = "> one\n\n> two\n\n> three\n"
    notebook = through_json(to_notebook(parse(text)))
    notebook.cells[1], notebook.cells[3] = notebook.cells[3], notebook.cells[1]
    # "> three" ended the file with one newline: now a blank line keeps it apart from "> two";
    # "> one" keeps the blank line that followed it
    assert to_markdown(notebook) == "> three\n\n> two\n\n> one\n\n"


def test_new_markdown_cells_become_blocks():
    text, notebook = notebook_of(S43)
    at = index_of(notebook, BENEFITS)
    notebook.cells.insert(at, v4.new_markdown_cell("\n> A new quote.\nIts second line.  \n\n"))
    expected = text.replace(BENEFITS, "> A new quote.\nIts second line.  \n\n" + BENEFITS, 1)
    assert to_markdown(through_json(notebook)) == expected


def test_other_code_cells_are_left_out_with_a_notice():
    text, notebook = notebook_of(S43)
    notebook.cells.insert(5, v4.new_code_cell("%codebook"))
    notebook.cells.insert(5, v4.new_code_cell(SETUP_SOURCE))  # a second setup cell: quietly
    notebook.cells.insert(5, v4.new_code_cell(""))
    export = export_markdown(through_json(notebook))
    assert export.text == text
    assert export.left_out == [
        "cell 8: a code cell without %%code is not part of the field notes; left out"
    ]


def test_concise_syntax_error_names_the_notebook_cell_and_line():
    _, notebook = notebook_of(S43)
    notebook.cells.insert(5, v4.new_code_cell("%%code\nfamiliar: request_access\nrelate: a ->\n"))
    with pytest.raises(FieldNotesError) as caught:
        export_markdown(notebook, "s_43.ipynb")
    message = str(caught.value)
    assert message.startswith("s_43.ipynb: cell 6, line 3: relate: expected")
    assert "\n" not in message


def test_concise_trace_without_metadata_takes_the_source_id_from_the_header():
    text = read_exact(EXAMPLES / "s_2.md")
    notebook = through_json(to_notebook(parse(text)))
    del notebook.metadata[METADATA_KEY]
    notebook.cells.append(v4.new_code_cell("%%code\nfamiliar: merge_rules"))
    assert "add codes to s2: \n" in to_markdown(notebook)


def test_unsaved_changes():
    text, notebook = notebook_of(S43)
    assert unsaved_changes(notebook, text) is None
    assert unsaved_changes(notebook, text + "edited elsewhere\n") is None  # notebook untouched
    notebook.cells[5].source += " more"
    assert unsaved_changes(notebook, text) == "it has edits that are not in the markdown"
    assert unsaved_changes(notebook, to_markdown(notebook)) is None
    notebook.cells.append(v4.new_code_cell("x = 1"))
    assert unsaved_changes(notebook, to_markdown(notebook)) == (
        "it has 1 code cell that the markdown does not keep"
    )


def test_empty_cell_for_a_new_source_is_left_out_until_filled():
    text = read_exact(EXAMPLES / "s_2.md")
    notebook = add_empty_cell(to_notebook(parse(text)))
    assert notebook.cells[-1].source == "" and cell_kind(notebook.cells[-1]) is None
    assert to_markdown(through_json(notebook)) == text


# -- the JSON text is nbformat's, byte for byte -------------------------------------------------


@pytest.mark.parametrize("path", real_files(), ids=lambda p: p.name)
def test_notebook_json_is_what_nbformat_writes(path):
    notebook = to_notebook(read(path))
    assert notebook_json(notebook) == nbformat.writes(notebook) + "\n"


@given(TEXT)
@settings(max_examples=100, deadline=None)
def test_notebook_json_is_what_nbformat_writes_for_any_text(text):
    notebook = to_notebook(parse(text))
    notebook.metadata["numbers"] = {"pi": 3.25, "n": -7, "yes": True, "none": None, "list": []}
    assert notebook_json(notebook) == nbformat.writes(notebook) + "\n"


def test_notebooks_with_outputs_are_written_by_nbformat():
    notebook = to_notebook(read(EXAMPLES / "s_1.md"))
    notebook.cells[0].outputs = [v4.new_output("stream", text="loaded\nok\n")]
    notebook.metadata["signature"] = "sha256:transient"
    assert notebook_json(notebook) == nbformat.writes(notebook) + "\n"
    assert "signature" not in notebook_json(notebook)


def test_invalid_notebooks_are_not_written():
    notebook = to_notebook(read(EXAMPLES / "s_1.md"))
    notebook.cells[1]["cell_type"] = "prose"
    with pytest.raises(nbformat.ValidationError):
        notebook_json(notebook)


# any JSON value nbformat could meet in a notebook's or a cell's metadata
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)
# the characters the fast writer treats apart: line breaks of str.splitlines, escapes
SOURCE_TEXT = st.text(
    alphabet=st.sampled_from(list('ab "\\\n\r\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00é’😀')),
    max_size=30,
)


@given(SOURCE_TEXT, st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=3), JSON_VALUES)
@settings(max_examples=300, deadline=None)
def test_notebook_json_is_what_nbformat_writes_for_any_source_and_metadata(source, extra, value):
    notebook = to_notebook(parse(read_exact(EXAMPLES / "s_1.md")))
    notebook.cells[1].source = source
    notebook.cells[2].metadata.update(extra)
    notebook.cells[2].metadata[METADATA_KEY]["extra"] = value
    notebook.metadata["extra"] = value
    assert notebook_json(notebook, validate=False) == nbformat.writes(notebook) + "\n"


def test_notebooks_are_made_and_written_without_importing_nbformat():
    script = (
        "import sys\n"
        "from jupyter_coding.fieldnotes import read\n"
        "from jupyter_coding.notebooks.convert import notebook_json, round_trip, to_notebook\n"
        f"notes = read({str(EXAMPLES / 's_1.md')!r})\n"
        "notebook_json(to_notebook(notes), validate=False)\n"
        "round_trip(notes.to_text())\n"
        "print('nbformat' in sys.modules)\n"
    )
    env = {**os.environ, "JUPYTER_CODING_VALIDATE": ""}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "False"


def test_validation_follows_the_environment(monkeypatch):
    notebook = to_notebook(read(EXAMPLES / "s_1.md"))
    notebook.cells[1]["cell_type"] = "prose"
    monkeypatch.setenv("JUPYTER_CODING_VALIDATE", "")
    assert '"prose"' in notebook_json(notebook)  # not checked: written as it is
    with pytest.raises(nbformat.ValidationError):
        notebook_json(notebook, validate=True)
    monkeypatch.setenv("JUPYTER_CODING_VALIDATE", "1")
    with pytest.raises(nbformat.ValidationError):
        notebook_json(notebook)


@pytest.mark.parametrize("char", list('\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"\\\t\x00’'))
def test_each_line_break_and_escape_is_written_as_nbformat_writes_it(char):
    notebook = to_notebook(parse(read_exact(EXAMPLES / "s_1.md")))
    for source in (f"a{char}b\nc", f"a{char}", f"{char}", f"a\n{char}\n"):
        notebook.cells[1].source = source
        assert notebook_json(notebook, validate=False) == nbformat.writes(notebook) + "\n"


@given(SOURCE_TEXT, st.integers(), SOURCE_TEXT, SOURCE_TEXT)
@settings(max_examples=200, deadline=None)
def test_a_cells_own_metadata_is_written_as_nbformat_writes_it(end, index, kind, key):
    notebook = to_notebook(parse(read_exact(EXAMPLES / "s_1.md")))
    notebook.cells[2].metadata = {key or METADATA_KEY: {"end": end, "index": index, "kind": kind}}
    assert notebook_json(notebook, validate=False) == nbformat.writes(notebook) + "\n"
