"""What the speed work must not change: verify's output in parallel, --help, did you mean."""

from __future__ import annotations

import functools
import itertools
import os
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_coding.cli import main
from jupyter_coding.common import parallel
from jupyter_coding.study import similarity

from .conftest import CORPUS, EXAMPLES, corpus_files


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def study(tmp_path):
    """The corpus three times over (207 files), in sub-folders, with the examples."""
    for copy in range(3):
        folder = tmp_path / f"copy{copy}"
        folder.mkdir()
        for path in corpus_files():
            shutil.copy(path, folder)
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return tmp_path


def verify_serially_and_in_parallel(capsys, monkeypatch, *argv):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10**9)
    serial = run(capsys, "verify", *argv)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel, "CHUNK", 7)  # many chunks, so order matters
    concurrent = run(capsys, "verify", *argv)
    return serial, concurrent


def test_parallel_verify_prints_what_serial_verify_prints(capsys, monkeypatch, study):
    serial, in_parallel = verify_serially_and_in_parallel(capsys, monkeypatch, study, CORPUS)
    assert serial == in_parallel
    assert serial[0] == 0 and serial[1].endswith("280 files, 280 exact\n")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers must inherit the patch")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_parallel_verify_reports_differences_in_file_order(capsys, monkeypatch, study):
    import jupyter_coding.notebooks.convert as notebook_module

    monkeypatch.setattr(parallel, "_start_method", lambda: "fork")  # workers get the patch

    real = notebook_module.to_markdown

    def lossy(notebook, path=None):  # loses the last byte of some files
        text = real(notebook, path)
        return text[:-1] if path and ("s_1" in path or "p_2" in path) else text

    monkeypatch.setattr(notebook_module, "to_markdown", lossy)
    serial, in_parallel = verify_serially_and_in_parallel(capsys, monkeypatch, study)
    assert serial == in_parallel
    code, out, _ = serial
    assert code == 1
    lines = out.splitlines()
    assert len(lines) > 20 and all("notebook round trip" in line for line in lines[:-1])
    assert lines[-1].endswith("files, " + str(211 - len(lines[:-1])) + " exact")


def test_parallel_verify_stops_at_an_unreadable_file_in_its_turn(capsys, monkeypatch, study):
    bad = study / "copy1" / "s_9.md"
    bad.write_bytes(b"# s\n9\n\xff\n")
    serial, in_parallel = verify_serially_and_in_parallel(capsys, monkeypatch, study)
    assert serial == in_parallel
    code, out, err = serial
    assert code == 1 and out == ""
    assert err.startswith(f"jupyter-coding verify: {bad}:3: not valid UTF-8")


# -- --help without importing the commands ---------------------------------------------------


def test_help_from_the_sources_is_the_help_of_the_imported_commands():
    from jupyter_coding.cli import COMMANDS, _registration, build_parser

    assert all(_registration(name) is not None for name in COMMANDS)
    assert build_parser(summaries=True).format_help() == build_parser().format_help()


def test_help_and_version_import_no_command_module():
    script = (
        "import sys\n"
        "from jupyter_coding.cli import main\n"
        "for argv in (['--help'], ['--version']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "loaded = [m for m in sys.modules if m.startswith('jupyter_coding.') and m not in\n"
        "          ('jupyter_coding.cli', 'jupyter_coding.cli')]\n"
        "print(loaded, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stderr.strip() == "[]"


# -- did you mean: the index answers what comparing one by one answers ---------------------

NAME = st.text(alphabet="abc_-sX ", max_size=9)


@functools.cache
def reference_distance(a: str, b: str) -> int:
    """Levenshtein distance by its definition (first letters equal, or one of three edits)."""
    if not a or not b:
        return len(a) + len(b)
    return min(
        reference_distance(a[1:], b) + 1,
        reference_distance(a, b[1:]) + 1,
        reference_distance(a[1:], b[1:]) + (a[0] != b[0]),
    )


@given(NAME, NAME, st.one_of(st.none(), st.integers(0, 4)))
@settings(max_examples=2000, deadline=None)
def test_edit_distance_is_levenshtein_up_to_the_limit(a, b, limit):
    distance = reference_distance(a, b)
    expected = distance if limit is None or distance <= limit else limit + 1
    assert similarity.edit_distance(a, b, limit) == expected


@given(st.lists(NAME, max_size=60), NAME, st.integers(1, 4), st.integers(0, 3))
@settings(max_examples=1500, deadline=None)
def test_the_index_finds_what_a_scan_finds(candidates, name, n, max_distance):
    index = similarity.CandidateIndex(tuple(candidates))
    expected = similarity._closest_by_scan(name, candidates, n, max_distance)
    assert index.closest(name, n, max_distance) == expected


@given(
    st.lists(st.tuples(NAME, st.one_of(st.none(), st.text("ab _-Dc", max_size=12))), max_size=60),
    NAME,
    st.integers(1, 4),
)
@settings(max_examples=800, deadline=None)
def test_the_index_with_labels_finds_what_a_scan_finds(pairs, name, n):
    candidates = tuple(candidate for candidate, _ in pairs)
    labels = dict(pairs)
    index = similarity.CandidateIndex.of(candidates, labels)
    expected = similarity._closest_by_scan(name, candidates, n, 3, labels)
    assert index.closest(name, n, 3) == expected


def test_closest_in_a_big_codebook_is_what_a_scan_finds():
    words = ["data", "product", "catalogue", "mesh", "domain", "quality", "owner", "team"]
    names = [f"{a}_{b}_{i % 7}" for i, (a, b) in enumerate(itertools.product(words, words))]
    names = names * 5 + ["data_catalog", "data_catalogues", "Data-Catalogue"]
    assert len(names) >= similarity.INDEX_FROM
    for name in ["data_catalogue", "dta_product_3", "mesh_mesh_1", "team", "x", "", "owner_t"]:
        for n, max_distance in [(3, 3), (1, 2), (5, 1)]:
            expected = similarity._closest_by_scan(name, names, n, max_distance)
            assert similarity.closest(name, names, n, max_distance) == expected


# -- the saturation figure keeps its size --------------------------------------------------


def points(count: int) -> list:
    from jupyter_coding.study.reports import SaturationPoint

    made, total = [], 0
    for number in range(1, count + 1):
        new = tuple(f"c{number}_{i}" for i in range(number % 4))
        total += len(new)
        made.append(SaturationPoint(f"s{number}", new, total))
    return made


def test_a_small_study_has_a_bar_per_source():
    from jupyter_coding.study.reports import saturation_figure

    axes = saturation_figure(points(68)).axes[0]
    assert [bar.get_height() for bar in axes.patches] == [p.new for p in points(68)]
    assert axes.get_ylabel() == "new codes in the source"


def test_a_big_study_has_a_bar_per_run_of_sources_and_a_figure_that_stays_small():
    from jupyter_coding.study.reports import MOST_BARS, figure_svg, saturation_figure

    many = points(6800)
    figure = saturation_figure(many)
    axes = figure.axes[0]
    heights = [bar.get_height() for bar in axes.patches]
    assert len(heights) <= MOST_BARS and sum(heights) == many[-1].total
    assert axes.get_ylabel() == "new codes in 46 sources"
    assert axes.get_xticklabels()[0].get_text() == "s1-s46"
    assert figure.get_size_inches()[0] <= 0.14 * MOST_BARS + 2
    line = figure.axes[1].get_lines()[0]
    assert list(line.get_ydata())[-1] == many[-1].total
    assert len(figure_svg(figure)) < 2 * len(figure_svg(saturation_figure(points(MOST_BARS))))


# -- check, the codebook and the report read a big study on every core, the same ----------


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "--format", "json"],
        ["codebook", "--format", "json"],
        ["codebook", "--format", "csv"],
        ["stats"],
    ],
    ids=" ".join,
)
def test_commands_print_the_same_in_parallel(capsys, monkeypatch, study, argv):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10**9)
    serial = run(capsys, *argv, study)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel, "CHUNK", 5)
    assert run(capsys, *argv, study) == serial


def test_the_report_study_is_the_same_in_parallel(monkeypatch, study):
    from jupyter_coding.study import reports

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10**9)
    serial = reports.read_study([study])
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    concurrent = reports.read_study([study])
    assert concurrent.traces == serial.traces and concurrent.paths == serial.paths
    assert reports.saturation(concurrent) == reports.saturation(serial)
    assert reports.codebook_entries(concurrent) == reports.codebook_entries(serial)


def test_a_process_with_threads_starts_fresh_workers(capsys, monkeypatch, study):
    import threading

    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        assert parallel._start_method() == "spawn"
        monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
        monkeypatch.setattr(parallel, "CHUNK", 50)
        code, out, _ = run(capsys, "verify", study)
    finally:
        stop.set()
        helper.join()
    assert code == 0 and out == "211 files, 211 exact\n"
