"""The waits a researcher feels: ``--help``, the first and a later ``%%code``, a save.

Run by hand: ``python benchmarks/bench_latency.py [RUNS]`` (default 7). Each figure
is measured in fresh processes (imports included), as min and median over RUNS, in
wall-clock and CPU milliseconds (CPU says more on a busy machine):

* ``jupyter-coding --help`` (the console script, start-up included);
* the first ``%%code`` cell of a session on the corpus, in an IPython shell with the
  extension loaded: reading the codebook of the 69 files, checking the cell and
  showing the trace and the picker;
* a later ``%%code`` cell (the codebook refreshed, no file changed);
* the save hook on a corpus notebook that changed one cell (the markdown written,
  atomically and under the guard's lock, with the write record updated).

Targets: ``--help`` < 150 ms, first ``%%code`` < 300 ms, a later one < 30 ms, a save
< 30 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "data_as_a_product"
CELL = "%%code\nmemo: Teams publish data products.\nfamiliar: data_product, self_serve_platform\n"

KERNEL = """
import json, sys, time
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
shell = InteractiveShell.instance()
shell.run_line_magic("load_ext", "jupyter_coding")
shell.run_line_magic("config", f"CodingMagics.study = {sys.argv[1]!r}")
shell.run_line_magic("config", "CodingMagics.source_id = 's1'")
times = []
for _ in range(6):
    wall, cpu = time.perf_counter(), time.process_time()
    with capture_output():
        result = shell.run_cell(sys.argv[2])
    result.raise_error()
    times.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
print(json.dumps(times))
"""

SAVE = """
import json, os, sys, time
from jupyter_coding.notebooks.export import post_save_hook

class Manager:
    root_dir = sys.argv[1]

path = sys.argv[2]
notebook = json.loads(open(path, encoding="utf-8").read())
times = []
for number in range(6):
    notebook["cells"][3]["source"] = f"> An edited quote, save {number}."
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(notebook, handle)
    wall, cpu = time.perf_counter(), time.process_time()
    post_save_hook({"type": "notebook"}, path, Manager())
    times.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
print(json.dumps(times))
"""


def child_times(argv: list[str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of a command in a fresh process, its children included."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    wall = (time.perf_counter() - started) * 1000
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def script_times(script: str, *args: str) -> list[tuple[float, float]]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    )
    return [tuple(pair) for pair in json.loads(done.stdout.strip().splitlines()[-1])]


def row(label: str, samples: list[tuple[float, float]], target: float) -> None:
    walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
    verdict = (
        "met" if min(statistics.median(walls), statistics.median(cpus)) < target else "NOT met"
    )
    print(
        f"{label:<34} {min(walls):>8.1f} {statistics.median(walls):>8.1f} "
        f"{min(cpus):>8.1f} {statistics.median(cpus):>8.1f}   < {target:>4.0f} ms  {verdict}"
    )


def main(runs: int) -> None:
    env_free = {key: value for key, value in os.environ.items() if key != "JUPYTER_CODING_VALIDATE"}
    os.environ.clear()
    os.environ.update(env_free)
    script = str(Path(sys.executable).parent / "jupyter-coding")
    print(f"{'':<34} {'wall min':>8} {'median':>8} {'CPU min':>8} {'median':>8}   target")
    row("jupyter-coding --help", [child_times([script, "--help"]) for _ in range(runs)], 150)
    first, later = [], []
    for _ in range(runs):
        times = script_times(KERNEL, str(CORPUS), CELL)
        first.append(times[0])
        later.extend(times[1:])
    row("first %%code (codebook load incl.)", first, 300)
    row("a later %%code", later, 30)
    saves = []
    with tempfile.TemporaryDirectory() as scratch:
        study = Path(scratch) / "study"
        study.mkdir()
        for path in CORPUS.glob("*.md"):
            (study / path.name).write_bytes(path.read_bytes())
        os.environ["JUPYTER_CODING_WRITE_RECORD"] = str(Path(scratch) / "written.json")
        subprocess.run([script, "to-notebook", "-q", str(study / "s_43.md")], check=True)
        for _ in range(max(1, runs // 2)):
            saves.extend(script_times(SAVE, str(study), str(study / "s_43.ipynb")))
    row("save hook, one cell changed", saves, 30)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
