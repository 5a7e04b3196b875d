"""The code picker without a browser: its logic, its widgets (values and clicks), the magic."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_coding.fieldnotes import parse
from jupyter_coding.kernel.testing import coding_shell, run_cell
from jupyter_coding.kernel.widgets.cell_edit import NewCode, add_codes, add_to_trace_text
from jupyter_coding.kernel.widgets.picker import CodePicker
from jupyter_coding.kernel.widgets.picker_logic import CodeIndex, PickerState
from jupyter_coding.study.codebook import Codebook, Definition, FileCodes, Use
from jupyter_coding.study.tracecheck import check_trace

from .conftest import CORPUS, SEED, corpus_files, read_exact


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    corpus_files()
    return Codebook.load([CORPUS])


def small_codebook(codes: dict[str, tuple[str, str, int]]) -> Codebook:
    """identifier -> (metaclass, label, uses)."""
    items = FileCodes("small.md", "s1")
    for identifier, (metaclass, label, uses) in codes.items():
        items.definitions.append(Definition(identifier, metaclass, label, "small.md", 1, "s1"))
        items.uses += [Use(identifier, "attached", "small.md", 1, "s1")] * uses
    return Codebook.from_file_codes([items])


def identifiers(state_or_matches) -> list[str]:
    matches = getattr(state_or_matches, "matches", state_or_matches)
    return [m.identifier for m in matches]


# -- filtering and ranking --------------------------------------------------
def test_tiers_then_use_count():
    book = small_codebook(
        {
            "beta": ("force", "Beta", 0),
            "beta_testing": ("practice", "Beta Testing", 1),
            "beta_release": ("practice", "Release", 4),
            "open_beta": ("practice", "Open", 9),
            "alphabeta_soup": ("pattern", "Soup", 20),
            "big_event_tracking_app": ("practice", "Events", 30),
            "gamma": ("decision", "Gamma", 50),
        }
    )
    index = CodeIndex.from_codebook(book)
    matches, total = index.search("beta")
    assert identifiers(matches) == [
        "beta",  # exact
        "beta_release",  # prefix, 4 uses
        "beta_testing",  # prefix, 1 use
        "open_beta",  # word prefix
        "alphabeta_soup",  # substring
        "big_event_tracking_app",  # letters in order
    ]
    assert [m.how for m in matches] == [
        "exact",
        "prefix",
        "prefix",
        "word prefix",
        "substring",
        "letters in order",
    ]
    assert total == 6
    assert identifiers(index.search("release")[0]) == ["beta_release"]  # by label
    assert identifiers(index.search("BETA TEST")[0]) == ["beta_testing"]  # spaces are _
    # with the shown list full of substring matches, letters in order are not looked for
    assert index.search("beta", limit=2) == (matches[:2], 5)
    everything, count = index.search("  ")
    assert count == 7 and identifiers(everything)[0] == "gamma"  # most used first


def test_corpus_queries(codebook):
    state = PickerState(codebook)
    state.query = "catalog"
    assert identifiers(state)[:3] == [
        "data_catalogue",
        "central_data_product_catalogue",
        "query_catalogue",
    ]
    state.query = "trustw"  # the typo'd twin ranks by use, and both are shown
    assert set(identifiers(state)[:3]) == {
        "trustworthiness",
        "trustworty_decision",
        "trustworthy_decision",
    }
    state.query = "dtcatlg"  # letters in order catch the abbreviation
    assert identifiers(state)[0] == "data_catalogue"
    state.query = "Data Quality"  # a label
    assert identifiers(state)[0] == "quality"
    state.query = "k8s"
    assert state.highlighted.identifier == "k8s" and state.highlighted.metaclass == "practice"


QUERY_TEXT = st.text(alphabet="adeiotlcgs_ -", min_size=1, max_size=10)


@settings(max_examples=60, deadline=None)
@given(st.lists(QUERY_TEXT, min_size=1, max_size=4))
def test_typing_narrows_to_the_same_result(queries):
    """Typed letter by letter (the index narrows from the last query) == searched afresh."""
    book = _corpus_book()
    typed = CodeIndex.from_codebook(book)
    for query in queries:
        for end in range(1, len(query) + 1):
            typed_result = typed.search(query[:end], limit=8)
            fresh = CodeIndex.from_codebook(book).search(query[:end], limit=8)
            assert typed_result == fresh, query[:end]


_BOOK: list[Codebook] = []


def _corpus_book() -> Codebook:
    if not _BOOK:
        _BOOK.append(Codebook.load([CORPUS]))
    return _BOOK[0]


def test_highlight_and_detail(codebook):
    state = PickerState(codebook, limit=5)
    state.query = "catalogue"
    assert state.highlight == 0
    assert state.move(1).identifier == identifiers(state)[1]
    assert state.move(-2).identifier == identifiers(state)[-1]  # wraps around
    state.query = "data_catalogue"
    assert state.highlight == 0  # a new query starts at the top
    detail = state.detail()
    assert detail.identifier == "data_catalogue"
    assert detail.definitions == ['pattern "Data Catalogue" (s_1.md:196)']
    assert detail.use_count == 24 and "s43" in detail.sources
    # every quote that carries the code, read on demand (more than the codebook keeps)
    assert len(detail.evidence) == len(codebook.evidence("data_catalogue")) > 5
    assert all(len(quote.text) <= 280 for quote in detail.evidence)
    # the most varied first: one quote of each source before any source's second
    first_round = detail.evidence[: detail.evidence_sources]
    assert len({quote.path for quote in first_round}) == detail.evidence_sources == 23
    first = detail.evidence[0]  # no quote of its own to compare with: coding order
    assert first.where == "s_1.md:187"
    assert first.text.startswith("The first iteration for this capability")
    assert state.detail("no_such_code") is None


def test_picks(codebook):
    state = PickerState(codebook, "familiar: k8s\n", "s43", in_trace=["k8s"])
    assert state.pick() is None  # an empty query never picks the most used code
    state.query = "data_catalog"
    assert state.pick() == "data_catalogue"
    assert state.pick("data_catalogue") == "data_catalogue"  # twice: once in the picks
    assert state.pick("k8s") == "k8s"  # already in the trace: not picked again
    assert state.picks == ["data_catalogue"] and state.changed
    assert state.apply() == "familiar: k8s, data_catalogue\n"
    assert state.unpick() == "data_catalogue" and not state.changed
    assert state.apply() == "familiar: k8s\n"


# -- new codes --------------------------------------------------------------
@pytest.mark.parametrize(
    ("identifier", "metaclass", "label", "error"),
    [
        ("", "practice", "", "type an identifier"),
        ("1abc", "practice", "", "not a valid identifier"),
        ("class", "force", "", "not a valid identifier"),
        ("has space", "force", "", "not a valid identifier"),
        ("k8s", "practice", "", "k8s is already a code: pick it instead"),
        ("new_thing", "gadget", "", "metaclass 'gadget' is not one of the study's"),
        ("new_thing", "force", 'Say "hi"', 'a label is one line without "'),
    ],
)
def test_new_code_refused(codebook, identifier, metaclass, label, error):
    state = PickerState(codebook)
    check = state.create(identifier, metaclass, label)
    assert any(error in message for message in check.errors), check.errors
    assert not state.picks


@pytest.mark.parametrize(
    ("identifier", "label", "similar"),
    [
        ("trustworthy_decisions", "", "trustworthy_decision"),
        ("data_catalogues", "", "data_catalogue"),
        ("data_catalog", "", "data_catalogue"),  # British/American spelling
        ("brand_new_code", "Data Quality", "quality"),  # the label is taken
    ],
)
def test_new_code_near_duplicates_need_a_confirm(codebook, identifier, label, similar):
    state = PickerState(codebook, "", "s43")
    check = state.create(identifier, "practice", label)
    assert similar in check.similar and not check.errors
    assert not state.picks
    state.create(identifier, "practice", label, allow_similar=True)
    assert state.picks == [identifier]


def test_new_code_created_and_defined(codebook):
    state = PickerState(codebook, "memo: teams own the platform\n", "s43")
    check = state.create("platform_team", "force", "")
    assert check.ok and state.picks == ["platform_team"]
    assert state.new_codes == [NewCode("platform_team", "force", "Platform Team")]
    assert state.apply() == (
        'memo: teams own the platform\nnew: platform_team = CClass(force, "Platform Team")\n'
    )
    assert "already a code" in state.check_new_code("platform_team", "force").errors[0]
    state.unpick("platform_team")
    assert not state.new_codes


# -- editing the cell body ----------------------------------------------------
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", "familiar: a, b\n"),
        ("familiar: k8s\n", "familiar: k8s, a, b\n"),
        ("familiar: a\n", "familiar: a, b\n"),
        ("memo: text\nrelate: x -> y\n", "memo: text\nfamiliar: a, b\nrelate: x -> y\n"),
        ("  Familiar:   k8s  \nmemo: m", "  Familiar: k8s, a, b\nmemo: m"),
        ("attach: a\n", "attach: a\nfamiliar: b\n"),
        ("familiar: a, b", "familiar: a, b"),
        ("memo: one\nmemo: two\n", "memo: one\nmemo: two\nfamiliar: a, b\n"),
    ],
)
def test_concise_bodies(body, expected):
    assert add_codes(body, ["a", "b"]) == expected


def test_concise_with_a_new_code_still_reads():
    body = add_codes(
        "memo: m\nfamiliar: k8s\n",
        ["data_catalogue", "platform_team"],
        [NewCode("platform_team", "force", "Platform Team")],
    )
    assert body == (
        "memo: m\nfamiliar: k8s, data_catalogue\n"
        'new: platform_team = CClass(force, "Platform Team")\n'
    )
    report = check_trace(body, None, "s43")
    assert report.attached == ["k8s", "data_catalogue", "platform_team"]
    assert [d.identifier for d in report.definitions] == ["platform_team"]


SEED_INFRASTRUCTURE_AFTER = (
    "**OPEN CODING TRACE:**\n\n"
    "Familiar option: sql_layer, data_catalogue, infrastructure_as_code\n\n"
    "New force: platform_team\n\n"
    "**AXIAL CODING TRACE:**\n\n"
    "added:\n"
    "``` python \n"  # the seed's fences carry a trailing space
    '    platform_team = CClass(force, "Platform Team")\n'
    "```\n\n"
    "add codes to s43: \n"
    "``` python \n"
    "    '''\n"
    "        k8s,\n"
    "        infrastructure_as_code,\n"
    "        platform_team\n"
    "    '''\n"
    "```\n"
)


def test_trace_text_from_the_seed_is_edited_canonically():
    lines = read_exact(SEED).split("\n")
    trace = "\n".join(lines[184:196]) + "\n"  # the seed's Infrastructure trace
    body = add_codes(
        trace,
        ["k8s", "infrastructure_as_code", "platform_team"],
        [NewCode("platform_team", "force", "Platform Team")],
        "s43",
    )
    assert body == SEED_INFRASTRUCTURE_AFTER


def test_open_trace_alone_gets_a_canonical_axial_trace():
    body = add_codes(
        "**OPEN CODING TRACE:**\n\nSome memo\n", ["k8s", "x"], [NewCode("x", "practice", "X")], "s9"
    )
    assert body == (
        "**OPEN CODING TRACE:**\n\nSome memo\n\nFamiliar option: k8s\n\nNew option: x\n\n"
        "**AXIAL CODING TRACE:**\n\nadded:\n``` python \n"
        '    x = CClass(practice, "X")\n```\n\n'
        "add codes to s9: \n``` python \n    '''\n        k8s,\n        x\n    '''\n```\n"
    )


def test_every_corpus_trace_takes_picked_codes_without_losing_anything():
    """All 277 traces of the corpus: picks attached, definitions and relations all kept."""
    failures = []
    count = 0
    for path in corpus_files():
        notes = parse(read_exact(path), str(path))
        if notes.is_template:
            continue
        for open_trace, axial in notes.traces():
            if (open_trace and open_trace.template) or (axial and axial.template):
                continue
            count += 1
            body = "".join(b.to_text() for b in (open_trace, axial) if b is not None)
            new = NewCode("zz_new", "force", "ZZ New")
            edited = add_to_trace_text(body, ["zz_picked", "zz_new"], [new], notes.source_id)
            after_open, after_axial = list(parse(edited).traces())[-1]
            before = axial.attached if axial else []
            definitions = [d.identifier for d in after_axial.definitions]
            problems = []
            if set(after_axial.attached) != {*before, "zz_picked", "zz_new"}:
                problems.append(f"attached {after_axial.attached}")
            if axial is not None:
                if sorted(definitions) != sorted(
                    [d.identifier for d in axial.definitions] + ["zz_new"]
                ):
                    problems.append(f"definitions {definitions}")
                if len(after_axial.relations) != len(axial.relations):
                    problems.append("relations lost")
            if after_open is not None and not {"zz_picked", "zz_new"} <= set(after_open.memo_codes):
                problems.append(f"memo {after_open.memo_codes}")
            if problems:
                failures.append(f"{path.name}:{(open_trace or axial).line}: {problems}")
    assert count == 277
    assert not failures, failures[:5]


def test_codes_already_attached_change_nothing():
    lines = read_exact(SEED).split("\n")
    trace = "\n".join(lines[184:196]) + "\n"
    assert add_codes(trace, ["k8s"], [], "s43") == trace


def test_not_a_trace_is_refused():
    from jupyter_coding.fieldnotes import FieldNotesError

    with pytest.raises(FieldNotesError, match="no coding trace"):
        add_codes("> just a quote\n", ["k8s"])


# -- the widgets --------------------------------------------------------------
def press_enter(text_widget) -> None:
    """What the browser sends when Enter is pressed in an ipywidgets Text."""
    text_widget._handle_custom_msg({"event": "submit"}, [])


def test_picker_widget_keyboard_flow(codebook):
    changes = []
    state = PickerState(codebook, "familiar: k8s\n", "s43", in_trace=["k8s"])
    picker = CodePicker(state, on_change=changes.append)
    assert not picker.expanded and picker.body.layout.display == "none"  # folded at first
    picker.search.value = "catalog"
    assert picker.expanded and picker.body.layout.display == "flex"  # typing opens it
    assert 'class="jc-match jc-highlight" data-code="data_catalogue"' in picker.matches_view.value
    assert "Data Catalogue" in picker.detail_html
    assert "jc-evidence" in picker.detail_html
    assert picker.detail_view.outputs[0]["data"]["text/html"] == picker.detail_html
    assert "applied 24 times (13 attached, 10 reused, 1 defined) in s1, s5," in (picker.detail_html)
    assert "; named in 11 memos" in picker.detail_html
    press_enter(picker.search)
    assert state.picks == ["data_catalogue"]
    assert picker.search.value == ""  # ready for the next code
    assert "data_catalogue" in picker.picked_view.value
    assert "familiar: k8s, data_catalogue" in picker.picked_view.value  # the preview
    assert "Ctrl+Enter" in picker.message.value
    assert "1 code picked" in picker.status.value  # said beside the box, also when folded
    picker.fold_button.click()
    assert not picker.expanded and state.picks == ["data_catalogue"]
    assert "1 code picked" in picker.status.value
    assert len(changes) == 1
    press_enter(picker.search)  # Enter in the empty box picks nothing
    picker.pick_button.click()
    assert state.picks == ["data_catalogue"]
    picker.search.value = "quality"
    picker.down_button.click()
    assert state.highlighted.identifier == identifiers(state)[1]
    assert 'jc-highlight" data-code="quality_monitoring"' in picker.matches_view.value
    picker.pick_button.click()
    assert state.picks == ["data_catalogue", "quality_monitoring"]
    picker.undo_button.click()
    assert state.picks == ["data_catalogue"]


def test_picker_widget_new_code_form(codebook):
    state = PickerState(codebook, "", "s43")
    picker = CodePicker(state)
    assert set(picker.new_metaclass.options) == {"force", "pattern", "practice", "decision"}
    picker.search.value = "platform team"
    assert "no code matches" in picker.matches_view.value
    press_enter(picker.search)  # no match: Enter starts a new code with that name
    assert picker.new_identifier.value == "platform_team"
    assert picker.new_label.value == "Platform Team"
    picker.new_metaclass.value = "force"
    press_enter(picker.new_label)  # Enter in the form creates it
    assert state.picks == ["platform_team"]
    assert picker.new_identifier.value == ""
    assert 'new: platform_team = CClass(force, "Platform Team")' in picker.picked_view.value

    picker.new_identifier.value = "data_catalogues"
    assert "near-duplicate of <code>data_catalogue</code>" in picker.message.value
    picker.new_metaclass.value = "pattern"
    picker.create_button.click()
    assert "data_catalogues" not in state.picks
    assert "press New code again" in picker.message.value
    picker.create_button.click()  # the second press confirms
    assert state.picks == ["platform_team", "data_catalogues"]

    picker.new_identifier.value = "2fast"
    picker.new_metaclass.value = "force"
    picker.create_button.click()
    assert "not a valid identifier" in picker.message.value


# -- the magic ------------------------------------------------------------------
@pytest.fixture
def shell(monkeypatch):
    with coding_shell(study=CORPUS, source_id="s43") as shell:
        inputs = []
        monkeypatch.setattr(
            shell, "set_next_input", lambda text, replace=False: inputs.append((text, replace))
        )
        shell.next_inputs = inputs
        yield shell


def magics_of(shell):
    return shell.magics_manager.registry["CodingMagics"]


def test_code_cell_shows_a_picker_and_rerun_writes_the_picks(shell):
    result, _, _ = run_cell(shell, "%%code\nfamiliar: k8s\n", cell_id="cell-1")
    assert result.success
    state = magics_of(shell).pickers[("code", "cell-1")]
    assert state.in_trace == ["k8s"] and state.source_id == "s43"
    state.query = "catalogue"
    state.pick()
    state.create("platform_team", "force", "Platform Team")
    assert shell.next_inputs == []  # nothing happens to the cell until it runs again

    result, plain, _ = run_cell(shell, "%%code\nfamiliar: k8s\n", cell_id="cell-1")
    assert result.success
    written = (
        '%%code\nfamiliar: k8s, data_catalogue\nnew: platform_team = CClass(force, "Platform Team")'
    )
    assert shell.next_inputs == [(written, True)]
    assert "applies to s43: platform_team (force), k8s (practice), data_catalogue (pattern)" in (
        plain
    )
    fresh = magics_of(shell).pickers[("code", "cell-1")]
    assert fresh is not state and not fresh.changed
    assert fresh.in_trace == ["platform_team", "k8s", "data_catalogue"]
    run_cell(shell, written, cell_id="cell-1")
    assert len(shell.next_inputs) == 1  # no picks, no rewrite


def test_picks_stay_pending_when_the_cell_fails(shell):
    run_cell(shell, "%%code\nfamiliar: k8s\n", cell_id="c2")
    magics_of(shell).pickers[("code", "c2")].pick("data_catalogue")
    result, _, _ = run_cell(shell, "%%code\nfamilar: k8s\n", cell_id="c2")
    assert not result.success and shell.next_inputs == []
    assert magics_of(shell).pickers[("code", "c2")].picks == ["data_catalogue"]
    result, _, _ = run_cell(shell, "%%code\nfamiliar: k8s\n", cell_id="c2")
    assert shell.next_inputs == [("%%code\nfamiliar: k8s, data_catalogue", True)]


def test_picker_on_trace_text_and_on_other_cells(shell):
    lines = read_exact(SEED).split("\n")
    cell = "%%code\n" + "\n".join(lines[184:196])
    run_cell(shell, cell, cell_id="t1")
    run_cell(shell, "%%code\nfamiliar: data_catalogue\n", cell_id="t2")
    magics_of(shell).pickers[("code", "t1")].pick("infrastructure_as_code")
    run_cell(shell, "%%code\nfamiliar: data_catalogue\n", cell_id="t2")
    assert shell.next_inputs == []  # another cell's picks stay with that cell
    run_cell(shell, cell, cell_id="t1")
    text, replace = shell.next_inputs[0]
    assert replace and text.startswith("%%code\n**OPEN CODING TRACE:**")
    assert "        k8s,\n        infrastructure_as_code\n    '''" in text


def test_code_picker_line_magic_adds_a_code_cell_below(shell):
    result, _, _ = run_cell(shell, "%code_picker catalog", cell_id="p1")
    assert result.success
    state = magics_of(shell).pickers[("picker", "p1")]
    assert state.query == "catalog" and state.highlighted.identifier == "data_catalogue"
    state.pick()
    run_cell(shell, "%code_picker catalog", cell_id="p1")
    assert shell.next_inputs == [("%%code\nfamiliar: data_catalogue", False)]


def test_show_picker_off(shell):
    shell.run_line_magic("config", "CodingMagics.show_picker = False")
    run_cell(shell, "%%code\nfamiliar: k8s\n", cell_id="off")
    assert ("code", "off") not in magics_of(shell).pickers


def test_the_focus_goes_to_the_picker_only_when_asked(shell, monkeypatch):
    monkeypatch.setattr(magics_of(shell), "show_picker", True)  # %config elsewhere sticks
    _, _, html = run_cell(shell, "%%code\nfamiliar: k8s\n", cell_id="f1")
    # the script that focuses the picker after Ctrl+Enter (never after Shift+Enter)
    assert "run.stay && run.cell === cell" in html and 'event.key !== "Enter"' in html
    monkeypatch.setattr(magics_of(shell), "picker_focus", False)
    _, _, html = run_cell(shell, "%%code\nfamiliar: k8s\n", cell_id="f1")
    assert "run.stay" not in html


def test_a_cell_run_again_closes_its_old_picker(shell, monkeypatch):
    magics = magics_of(shell)
    monkeypatch.setattr(magics, "show_picker", True)
    run_cell(shell, "%%code\nfamiliar: k8s\n", cell_id="c9")
    old = magics._picker_widgets[("code", "c9")]
    parts = [old, old.search, old.body, old.matches_view, old.detail_view]
    assert all(part.comm is not None for part in parts)
    run_cell(shell, "%%code\nfamiliar: k8s\n", cell_id="c9")
    assert all(part.comm is None for part in parts)  # closed: no widget left behind
    assert magics._picker_widgets[("code", "c9")] is not old
