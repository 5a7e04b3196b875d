"""parse(text).to_text() == text: on every real file, and on any text at all."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_coding.fieldnotes import FieldNotesError, parse, read, split_lines

from .conftest import SEED, corpus_files, read_exact, real_files


@pytest.mark.parametrize("path", real_files(), ids=lambda p: p.name)
def test_real_file_comes_back_byte_for_byte(path):
    text = read_exact(path)
    assert parse(text).to_text() == text
    assert read(path).to_text().encode("utf-8") == path.read_bytes()


def test_every_line_lands_in_exactly_one_block():
    for path in real_files():
        notes = read(path)
        number = 1
        for block in notes.blocks:
            assert block.line == number, (path.name, block.kind, block.line)
            number += len(block.lines) + len(block.trailing)
        assert number - 1 == len(split_lines(read_exact(path)))


def test_split_lines_keeps_form_feed_and_vertical_tab_inside_lines():
    text = read_exact(corpus_files()[0].parent / "p_1.md")
    lines = split_lines(text)
    assert len(lines) == 1277
    assert "".join(lines) == text
    assert len(text.splitlines()) == 1287  # why str.splitlines must not be used
    assert "Yeah \x0crst of all" in lines[61]
    assert lines[61].endswith("\n") and lines[61].count("\n") == 1


def test_not_utf8_is_a_one_line_error_with_byte_offset(tmp_path):
    bad = tmp_path / "s_9.md"
    bad.write_bytes(b"# s \n9\n## url\ncaf\xe9\n")
    with pytest.raises(FieldNotesError) as caught:
        read(bad)
    message = str(caught.value)
    assert message.startswith(f"{bad}:4: not valid UTF-8 at byte offset 17")
    assert "\n" not in message


# Pieces that matter to the parser, mixed with arbitrary text.
TRICKY = st.sampled_from(
    [
        "# s \n",
        "# p\n",
        "43\n",
        "## url\n",
        "## source type \n",
        "## references\n",
        "**AXIAL CODING TRACE**: source and references\n",
        "**AXIAL CODING TRACE:**\n",
        "**OPEN CODING TRACE:**\n",
        "> **OPEN CODING TRACE:**\n",
        "**AXIAL CODING:** \n",
        "``` python\n",
        "``` python \n",
        "```\n",
        "```python\n",
        "~~~\n",
        "# coding\n",
        "> quote\n",
        ">Expert B\n",
        "> Interviewer \n",
        "lazy line\n",
        "\n",
        "   \n",
        "\t\n",
        "added:\n",
        "add codes to s43: \n",
        "Add code to s\n",
        "    '''\n",
        'x = CClass(force, "X")\n',
        "add_force_relations({a: {b: positive})\n",
        "})\n",
        "add_force_relations{(a:{b: very positive}\n",
        'add_decision_option_link(d, o, "l")\n',
        's1 = CClass(source, "s1", values={\n',
        '    "url": "http://x\n',
        '",\n',
        "Familiar option: a, b\n",
        "![img](http://x.png)\n",
        "![bad](oops\n",
        "\r\n",
        "\ufeff",
        "\x0b",
        "\x0c",
        "\u2028",
        "…",
        "❤️",
        "\\",
        "'''",
        '"',
        "{",
        "(",
        "[",
    ]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=12)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_any_text_comes_back(text):
    assert parse(text).to_text() == text


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_arbitrary_unicode_comes_back(text):
    assert parse(text).to_text() == text


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_real_file_cut_anywhere_comes_back(data):
    text = read_exact(SEED)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    piece = text[start:end]
    assert parse(piece).to_text() == piece
