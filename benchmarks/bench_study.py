"""verify, check, codebook and report over the corpus and a 100x synthetic corpus.

Run by hand: ``python benchmarks/bench_study.py [--runs N] [COPIES ...]`` (default
``1 100``, 3 runs). Each command runs as ``jupyter-coding`` does, in a fresh Python
process, so the times include start-up and imports. Printed per command: wall
seconds (min and median of the runs), CPU seconds (user + system of the process and
its worker processes, min and median: the wall clock of a shared machine is noisy),
and the peak RSS of the largest process (the command's, or a worker's).

Targets at 100x (6,800 files, 146 MB), on this 2-core machine: verify < 10 s with a
peak under 500 MB; check, codebook and report < 15 s each, and a report whose
figures do not grow with the number of sources (its size is printed).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import CORPUS, synthesise


def run(argv: list[str]) -> tuple[float, float, float, int]:
    """(seconds, CPU seconds, peak RSS in MB, exit code) of one command in a fresh process.

    CPU seconds (user + system) say more than the wall clock on a busy machine.
    """
    started = time.perf_counter()
    environment = {k: v for k, v in os.environ.items() if k != "JUPYTER_CODING_VALIDATE"}
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_coding.cli", *argv],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode


TARGETS = {"verify": 10, "check": 15, "codebook": 15, "report": 15}


def main(copies_list: list[int], runs: int) -> None:
    header = f"{'corpus':>7} {'files':>6} {'MB':>6}  {'command':<9} {'wall min':>8} {'median':>7}"
    print(f"{header} {'CPU min':>8} {'median':>7} {'peak RSS MB':>12}  target (100x)")
    for copies in copies_list:
        with tempfile.TemporaryDirectory() as tmp:
            folder = CORPUS if copies == 1 else Path(tmp) / "study"
            if copies != 1:
                synthesise(folder, copies)
            files = sorted(folder.glob("*.md"))
            megabytes = sum(path.stat().st_size for path in files) / 1e6
            commands = {
                "verify": ["verify", "-q", str(folder)],
                "check": ["check", str(folder)],
                "codebook": ["codebook", str(folder), "--format", "csv", "-o", f"{tmp}/c.csv"],
                "report": ["report", str(folder), "-o", f"{tmp}/report.html"],
            }
            for name, argv in commands.items():
                results = [run(argv) for _ in range(runs)]
                walls, cpus = [r[0] for r in results], [r[1] for r in results]
                peak = max(r[2] for r in results)
                code = results[0][3]
                expected = 1 if name == "check" else 0  # the corpus has findings
                flag = "" if code == expected else f"  (exit {code}!)"
                target = f"< {TARGETS[name]} s" if copies == 100 else ""
                if name == "report":
                    target += f"; HTML {Path(tmp, 'report.html').stat().st_size / 1e6:.2f} MB"
                print(
                    f"{copies:>6}x {len(files):>6} {megabytes:>6.1f}  {name:<9} "
                    f"{min(walls):>8.2f} {statistics.median(walls):>7.2f} {min(cpus):>8.2f} "
                    f"{statistics.median(cpus):>7.2f} {peak:>12.0f}  {target}{flag}"
                )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    runs = 3
    if arguments[:1] == ["--runs"]:
        runs, arguments = int(arguments[1]), arguments[2:]
    main([int(arg) for arg in arguments] or [1, 100], runs)
