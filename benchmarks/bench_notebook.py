"""markdown -> notebook -> markdown for the whole corpus, next to jupytext doing the same.

Run by hand: ``pip install -e ".[bench]"`` (jupytext, only for this comparison), then
``python benchmarks/bench_notebook.py``. It prints, for jupyter_coding and for
jupytext, the time to take all 69 corpus files through a notebook and back, and
how many come back byte for byte:

* in one process (best of several runs): the text to a notebook and back to text,
  and the same through the notebook's JSON text (what is written to disk);
* from the command line (best of three): ``jupyter-coding to-notebook`` then
  ``to-markdown``, next to ``jupytext --to ipynb`` then ``jupytext --to md``, all files
  in one run of each command.

Targets: at least 20x faster than jupytext in one process, 10x from the command line.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "data_as_a_product"
RUNS = 5
CLI_RUNS = 3


def best_of(runs: int, job) -> tuple[float, int]:
    """Best wall time of ``job()`` over ``runs`` runs, and what it returned."""
    best, result = float("inf"), 0
    for _ in range(runs):
        started = time.perf_counter()
        result = job()
        best = min(best, time.perf_counter() - started)
    return best, result


def in_process(texts: list[str]) -> list[tuple[str, float, int]]:
    import jupytext

    from jupyter_coding.fieldnotes import parse
    from jupyter_coding.notebook import round_trip, to_markdown, to_notebook

    def ours() -> int:
        return sum(to_markdown(to_notebook(parse(text))) == text for text in texts)

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
        ("jupyter_coding, text", ours),
        ("jupytext, text", theirs),
        ("jupyter_coding, JSON", ours_json),
        ("jupytext, JSON", theirs_json),
    ):
        seconds, same = best_of(RUNS, job)
        rows.append((label, seconds, same))
    return rows


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def cli_runs(runs: int, job) -> tuple[float, int]:
    """Best of ``runs`` runs of ``job(scratch folder)``, each in a fresh folder."""
    best, same = float("inf"), 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            seconds, same = job(Path(scratch))
        best = min(best, seconds)
    return best, same


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
        seconds += timed([ours_cli, "to-markdown", "-q", str(notebooks), "-o", str(back)])
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
        seconds += timed([jupytext_cli, "--to", "md", *map(str, sorted(back.glob("*.ipynb")))])
        return seconds, identical(back, files)

    return [
        ("jupyter-coding to-notebook + to-markdown", *cli_runs(runs, ours)),
        ("jupytext --to ipynb + --to md", *cli_runs(runs, theirs)),
    ]


def report(title: str, rows: list[tuple[str, float, int]], files: int) -> None:
    print(title)
    for label, seconds, same in rows:
        print(f"  {label:<42} {seconds * 1000:>9.1f} ms   {same:>3}/{files} identical")


def ratio(rows, ours: str, theirs: str) -> float:
    times = {label: seconds for label, seconds, _ in rows}
    return times[theirs] / times[ours]


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
    report(f"in one process (best of {RUNS}):", rows, len(files))
    print(
        f"  jupyter_coding is {ratio(rows, 'jupyter_coding, text', 'jupytext, text'):.1f}x "
        f"faster (text), {ratio(rows, 'jupyter_coding, JSON', 'jupytext, JSON'):.1f}x "
        "(through JSON) [target 20x]"
    )
    rows = command_line(files, CLI_RUNS)
    report(f"from the command line (best of {CLI_RUNS}):", rows, len(files))
    speedup = ratio(
        rows, "jupyter-coding to-notebook + to-markdown", "jupytext --to ipynb + --to md"
    )
    print(f"  jupyter-coding is {speedup:.1f}x faster end to end [target 10x]")


if __name__ == "__main__":
    main()
