"""%%code and %codebook through a real IPython InteractiveShell, on the real corpus."""

from __future__ import annotations

import pytest
from IPython.core.completer import provisionalcompleter

from jupyter_coding.kernel.testing import coding_shell, run_cell

from .conftest import CORPUS, EXAMPLES, SEED, read_exact


@pytest.fixture
def shell():
    with coding_shell(study=CORPUS, source_id="s43") as shell:
        yield shell


def magics_of(shell):
    return shell.magics_manager.registry["CodingMagics"]


CONCISE = """%%code
memo: Infrastructure runs on Kubernetes, managed by a platform team.
familiar: k8s, infrastructure_as_cod
new: platform_team = CClass(force, "Platform Team")
relate: k8s -> platform_team: positive
"""


def test_concise_cell_is_checked_and_shown(shell):
    result, plain, html = run_cell(shell, CONCISE)
    assert result.success
    # what the trace applies: the new code (defined and attached) first, as it stands first
    assert (
        "applies to s43: platform_team (force), k8s (practice), infrastructure_as_cod (undefined)"
        in plain
    )
    assert 'defined: platform_team = CClass(force, "Platform Team")' in plain
    assert "relation: k8s -> platform_team force: positive" in plain
    assert (
        "warning[unknown-code]: infrastructure_as_cod: not in the codebook "
        "(did you mean infrastructure_as_code?)" in plain
    )
    assert 'class="jc-chip"' in html and "#D55E00" in html  # forces are orange chips
    report = magics_of(shell).last_report
    assert report.concise and report.attached == ["k8s", "infrastructure_as_cod", "platform_team"]


def test_trace_text_from_the_seed(shell):
    """The seed's Infrastructure trace: memo names sql_layer, data_catalogue; k8s attached."""
    lines = read_exact(SEED).split("\n")
    trace = "\n".join(lines[184:196])  # lines 185-196: the open and axial trace
    assert trace.startswith("**OPEN CODING TRACE:**")
    result, plain, _ = run_cell(shell, "%%code\n" + trace)
    assert result.success
    assert "applies to s43: k8s (practice)" in plain
    assert (
        "warning[memo-mismatch]: line 2: the memo names sql_layer, data_catalogue but the axial "
        "trace does not apply it; applied but not in the memo: k8s" in plain
    )


def test_wrong_target_and_redefinition(shell):
    cell = """%%code
**OPEN CODING TRACE:**

Familiar option: k8s

**AXIAL CODING TRACE:**

added:
``` python
    quality = CClass(force, "Excellence")
```

add codes to s57:
``` python
    '''
        k8s
    '''
```
"""
    _, plain, _ = run_cell(shell, cell)
    assert "warning[wrong-target]: line 13: add codes to s57: this source is s43" in plain
    assert "warning[redefined-code]: line 10: quality is already defined as" in plain
    assert 'CClass(force, "Data Quality")' in plain


def test_malformed_concise_is_a_usage_error(shell, capsys):
    result, _, _ = run_cell(shell, "%%code\nmemo: fine\nfamilar: k8s\n")
    assert not result.success
    message = str(result.error_in_exec)
    assert message.startswith("%%code line 3: expected 'keyword: value'")
    assert "familar: k8s" in message
    assert "Traceback" not in capsys.readouterr().err


def test_bad_definition_and_relation_name_the_line(shell):
    result, _, _ = run_cell(shell, '%%code\nnew: x = CClass(force "X")\n')
    assert str(result.error_in_exec).startswith("%%code line 2: expected identifier = CClass(")
    result, _, _ = run_cell(shell, "%%code\nrelate: a -> b: very_good\n")
    assert "'very_good' is not one of very_positive" in str(result.error_in_exec)


def test_text_that_is_not_a_trace(shell):
    result, _, _ = run_cell(shell, "%%code\n> a quote is not a trace\n")
    assert str(result.error_in_exec).startswith("%%code line 2: not part of a trace")


def test_unknown_codes_as_errors(shell):
    shell.run_line_magic("config", "CodingMagics.unknown_codes = 'error'")
    result, _, _ = run_cell(shell, "%%code\nfamiliar: k8s, no_such_code\n")
    assert not result.success
    assert "no_such_code: not in the codebook" in str(result.error_in_exec)


def test_codes_defined_in_a_cell_join_the_codebook(shell):
    run_cell(shell, '%%code\nnew: brand_new_code = CClass(practice, "Brand new")\n')
    _, plain, _ = run_cell(shell, "%%code\nfamiliar: brand_new_code\n")
    assert "unknown-code" not in plain
    table = shell.run_line_magic("codebook", "brand_new")
    assert [row["identifier"] for row in table] == ["brand_new_code"]


def test_rerunning_a_cell_replaces_its_codes(shell):
    codebook = magics_of(shell).codebook()
    run_cell(shell, '%%code\nnew: first_name = CClass(practice, "One")\n', cell_id="c1")
    assert "first_name" in codebook
    run_cell(shell, '%%code\nnew: second_name = CClass(practice, "Two")\n', cell_id="c1")
    assert "second_name" in codebook and "first_name" not in codebook


def test_codebook_magic_table(shell):
    table = shell.run_line_magic("codebook", "catalogue")
    identifiers = [row["identifier"] for row in table]
    assert identifiers[0] == "data_catalogue"  # most used first
    assert "central_data_product_catalogue" in identifiers
    text = repr(table)
    assert text.splitlines()[0].split() == ["identifier", "label", "metaclass", "uses", "sources"]
    assert text.endswith(f"{len(identifiers)} codes")
    html = table._repr_html_()
    assert "<table" in html and "click a column to sort" in html
    by_name = table.sorted("identifier")
    assert [r["identifier"] for r in by_name] == sorted(identifiers)
    forces = shell.run_line_magic("codebook", "force")
    assert forces.rows and all(row["metaclass"] == "force" for row in forces)


def test_configuration_is_traitlets(shell):
    magics = magics_of(shell)
    assert magics in shell.configurables
    for name in ("study", "source_id", "unknown_codes", "show_picker"):
        assert magics.traits()[name].help, name
    shell.run_line_magic("config", "CodingMagics.source_id = 's1'")
    assert magics.current_source_id() == "s1"


def test_study_defaults_to_working_directory(monkeypatch):
    monkeypatch.chdir(EXAMPLES)
    with coding_shell() as shell:
        magics = magics_of(shell)
        assert magics.study_folder() == EXAMPLES
        assert "reviewer_rotation" in magics.codebook()


def test_completion_of_codes_and_metaclasses(shell):
    def complete(text):
        with provisionalcompleter():
            return list(shell.Completer.completions(text, len(text)))

    found = complete("%%code\nfamiliar: k8s, data_cat")
    assert [(c.text, c.type) for c in found][:1] == [("data_catalogue", "pattern")]
    assert found[0].start == len("%%code\nfamiliar: k8s, ")
    found = complete("%%code\nfamiliar: ")
    # most used first
    assert [c.text for c in found[:2]] == ["rest_apis", "event_streaming"]
    found = complete("%%code\nnew: x = CClass(pr")
    assert [(c.text, c.type) for c in found] == [("practice", "metaclass")]
    # letters in order catch typos and abbreviations
    assert "data_catalogue" in [c.text for c in complete("%%code\nfamiliar: dtcatlg")]
    # outside %%code cells the study's codes are not offered
    assert "data_catalogue" not in [c.text for c in complete("x = data_cat")]
