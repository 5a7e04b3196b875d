"""markdown -> notebook -> markdown for the whole corpus, next to jupytext doing the same.

Run by hand: ``pip install -e ".[bench]"`` (jupytext, only for this comparison), then
``python benchmarks/bench_notebook.py``. It prints, for jupyter_coding and for
jupytext, the time to take all 69 corpus files through a notebook and back, and
how many come back byte for byte:

* in one process (several runs): parse and write back, the text to a notebook and
  back to text, and the same through the notebook's JSON text (what is written to
  disk);
* from the command line (several runs): ``jupyter-coding to-notebook`` then
  ``to-markdown``, next to ``jupytext --to ipynb`` then ``jupytext --to md``, all files
  in one run of each command.

Each row gives min and median wall-clock and CPU milliseconds (CPU says more on a
shared machine), and the ratios are taken both ways.

Targets: parse + write back at least 40 MB/s; at least 20x faster than jupytext in one
process through JSON, 10x from the command line.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "data_as_a_product"
RUNS = 7
CLI_RUNS = 5


def best_of(runs: int, job) -> tuple[list[float], list[float], int]:
    """Wall and CPU seconds of ``job()`` in each of ``runs`` runs, and what it returned."""
    walls, cpus, result = [], [], 0
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = job()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - started)
    return walls, cpus, result


def in_process(texts: list[str]) -> list[tuple[str, float, int]]:
    import jupytext

    from jupyter_coding.fieldnotes import parse
    from jupyter_coding.notebooks.convert import round_trip, to_markdown, to_notebook

    def ours() -> int:
        return sum(to_markdown(to_notebook(parse(text))) == text for text in texts)

    def parse_and_write_back() -> int:
        return sum(parse(text).to_text() == text for text in texts)

    def ours_json() -> int:
        return sum(round_trip(text) == text for text in texts)

    def theirs() -> int:
        return sum(jupytext.writes(jupytext.reads(t, fmt="md"), fmt="md") == t for t in texts)

    def theirs_json() -> int:
        same = 0
        for text in texts:
            notebook_json = jupytext.writes(jupytext.reads(text, fmt="md"), fmt="ipynb")
            same += jupytext.writes(jupytext.reads(notebook_json, fmt="ipynb"), fmt="md") == text
        return same

    rows = []
    for label, job in (
        ("jupyter_coding, parse + write back", parse_and_write_back),
        ("jupyter_coding, text", ours),
        ("jupytext, text", theirs),
        ("jupyter_coding, JSON", ours_json),
        ("jupytext, JSON", theirs_json),
    ):
        walls, cpus, same = best_of(RUNS, job)
        rows.append((label, walls, cpus, same))
    return rows


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of a command in a fresh process (its children included)."""
    environment = {k: v for k, v in os.environ.items() if k != "JUPYTER_CODING_VALIDATE"}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment
    )
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{command[0]} failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def cli_runs(runs: int, job) -> tuple[list[float], list[float], int]:
    """Wall and CPU seconds of ``runs`` runs of ``job(scratch folder)``, each in a fresh one."""
    walls, cpus, same = [], [], 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            (wall, cpu), same = job(Path(scratch))
        walls.append(wall)
        cpus.append(cpu)
    return walls, cpus, same


def added(first: tuple[float, float], second: tuple[float, float]) -> tuple[float, float]:
    return first[0] + second[0], first[1] + second[1]


def identical(folder: Path, files: list[Path]) -> int:
    return sum(
        (folder / path.name).is_file() and (folder / path.name).read_bytes() == path.read_bytes()
        for path in files
    )


def command_line(files: list[Path], runs: int) -> list[tuple[str, float, int]]:
    bin_dir = Path(sys.executable).parent
    ours_cli = str(bin_dir / "jupyter-coding")
    jupytext_cli = str(bin_dir / "jupytext")

    def ours(scratch: Path) -> tuple[float, int]:
        notebooks, back = scratch / "nb", scratch / "md"
        seconds = timed([ours_cli, "to-notebook", "-q", str(CORPUS), "-o", str(notebooks)])
        seconds = added(
            seconds, timed([ours_cli, "to-markdown", "-q", str(notebooks), "-o", str(back)])
        )
        return seconds, identical(back, files)

    def theirs(scratch: Path) -> tuple[float, int]:
        copies, back = scratch / "md", scratch / "back"
        copies.mkdir()
        back.mkdir()
        for path in files:
            shutil.copy(path, copies)
        seconds = timed([jupytext_cli, "--to", "ipynb", *map(str, sorted(copies.glob("*.md")))])
        for made in copies.glob("*.ipynb"):  # convert back elsewhere, not over the copies
            made.rename(back / made.name)
        seconds = added(
            seconds, timed([jupytext_cli, "--to", "md", *map(str, sorted(back.glob("*.ipynb")))])
        )
        return seconds, identical(back, files)

    return [
        ("jupyter-coding to-notebook + to-markdown", *cli_runs(runs, ours)),
        ("jupytext --to ipynb + --to md", *cli_runs(runs, theirs)),
    ]


def report(title: str, rows, files: int) -> None:
    print(title)
    print(f"  {'':<42} {'wall min':>9} {'median':>9} {'CPU min':>9} {'median':>9}")
    for label, walls, cpus, same in rows:
        print(
            f"  {label:<42} {min(walls) * 1000:>9.1f} {statistics.median(walls) * 1000:>9.1f} "
            f"{min(cpus) * 1000:>9.1f} {statistics.median(cpus) * 1000:>9.1f} ms"
            f"   {same:>3}/{files} identical"
        )


def ratios(rows, ours: str, theirs: str) -> str:
    """How many times faster, by min and median wall clock and by min and median CPU."""
    found = {label: (walls, cpus) for label, walls, cpus, _ in rows}
    (our_walls, our_cpus), (their_walls, their_cpus) = found[ours], found[theirs]
    figures = [
        min(their_walls) / min(our_walls),
        statistics.median(their_walls) / statistics.median(our_walls),
        min(their_cpus) / min(our_cpus),
        statistics.median(their_cpus) / statistics.median(our_cpus),
    ]
    return "wall {:.1f}x (min) {:.1f}x (median), CPU {:.1f}x (min) {:.1f}x (median)".format(
        *figures
    )


def main() -> None:
    files = sorted(CORPUS.glob("*.md"))
    if len(files) != 69:
        raise SystemExit(f"expected the 69 corpus files in {CORPUS}, found {len(files)}")
    if shutil.which("jupytext") is None:
        raise SystemExit('jupytext is needed for the comparison: pip install -e ".[bench]"')
    texts = [path.read_bytes().decode("utf-8") for path in files]
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    print(f"corpus: {len(files)} files, {megabytes:.2f} MB")

    rows = in_process(texts)
    report(f"in one process ({RUNS} runs):", rows, len(files))
    _, walls, cpus, _ = rows[0]
    print(
        f"  parse + write back: {megabytes / statistics.median(walls):.0f} MB/s (median wall), "
        f"{megabytes / statistics.median(cpus):.0f} MB/s (median CPU) [target 40 MB/s]"
    )
    print(f"  text:         {ratios(rows, 'jupyter_coding, text', 'jupytext, text')}")
    print(f"  through JSON: {ratios(rows, 'jupyter_coding, JSON', 'jupytext, JSON')} [target 20x]")
    rows = command_line(files, CLI_RUNS)
    report(f"from the command line ({CLI_RUNS} runs):", rows, len(files))
    ours, theirs = "jupyter-coding to-notebook + to-markdown", "jupytext --to ipynb + --to md"
    print(f"  end to end: {ratios(rows, ours, theirs)} [target 10x]")


if __name__ == "__main__":
    main()
