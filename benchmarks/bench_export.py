"""Exports of the corpus: REFI-QDA codebook and project, CodeableModels module.

Run by hand: ``python benchmarks/bench_export.py``. For the real corpus (69 files)
and a synthetic corpus 10 times larger it prints, per export, the size of the
output and the time to build it from text already in memory (best of three), plus
the time of the whole command (read, parse, export, write) and, for the corpus, of
validating the XML against the REFI-QDA schemas with lxml. Target: every corpus
export under 2 s as a command, linear growth.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import CORPUS, synthesise

from jupyter_coding.fieldnotes import parse
from jupyter_coding.interop.codeable_models import code_definitions, render_model, source_entries
from jupyter_coding.interop.refi_qda import write_qdc, write_qdpx
from jupyter_coding.study.codebook import Codebook

SCHEMAS = CORPUS.parent.parent / "refi-qda"


def best_of(runs: int, work) -> tuple[float, object]:
    result, best = None, float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def exports(texts: dict[str, str]):
    def notes():
        return [parse(text, path) for path, text in texts.items()]

    return {
        "qdc": lambda: write_qdc(Codebook.from_notes(notes())),
        "qdpx": lambda: write_qdpx(notes()),
        "codeable-models": lambda: codeable_models(notes()),
    }


def codeable_models(notes) -> bytes:
    """What ``export codeable-models`` builds: the sources and a definition of every code."""
    from jupyter_coding.study.tables import paper_codes

    codes = code_definitions(paper_codes(Codebook.from_notes(notes)))
    return render_model(source_entries(notes), definitions=codes).encode("utf-8")


def command_seconds(kind: str, folder: Path, output: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter_coding.cli",
            "export",
            kind,
            str(folder),
            "-o",
            str(output),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def validation_seconds(qdc: bytes, qdpx: bytes) -> tuple[float, float]:
    from lxml import etree

    def validate(schema: str, data: bytes) -> float:
        xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / schema)))
        started = time.perf_counter()
        if not xsd.validate(etree.fromstring(data)):
            raise SystemExit(f"{schema}: {xsd.error_log}")
        return time.perf_counter() - started

    qde = zipfile.ZipFile(io.BytesIO(qdpx)).read("project.qde")
    return validate("Codebook.xsd", qdc), validate("Project.xsd", qde)


def main() -> None:
    print(
        f"{'corpus':>7} {'files':>6} {'export':>16} {'bytes':>11} {'inside (unzipped)':>18} "
        f"{'build s':>8} {'command s':>10}"
    )
    for copies in (1, 10):
        with tempfile.TemporaryDirectory() as tmp:
            folder = CORPUS if copies == 1 else Path(tmp) / "study"
            batch = sorted(folder.glob("*.md")) if copies == 1 else synthesise(folder, copies)
            texts = {str(path): path.read_bytes().decode("utf-8") for path in batch}
            built = {}
            for kind, work in exports(texts).items():
                seconds, data = best_of(3, work)
                built[kind] = data
                inside = ""
                if kind == "qdpx":
                    with zipfile.ZipFile(io.BytesIO(data)) as archive:
                        inside = f"{sum(i.file_size for i in archive.infolist()):,}"
                command = command_seconds(kind, folder, Path(tmp) / f"out.{kind}")
                print(
                    f"{copies:>6}x {len(batch):>6} {kind:>16} {len(data):>11,} {inside:>18} "
                    f"{seconds:>8.2f} {command:>10.2f}"
                )
            if copies == 1:
                codebook_s, project_s = validation_seconds(built["qdc"], built["qdpx"])
                print(
                    f"schema validation with lxml: Codebook.xsd {codebook_s:.3f} s, "
                    f"Project.xsd {project_s:.3f} s"
                )


if __name__ == "__main__":
    main()
