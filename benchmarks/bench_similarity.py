"""``did you mean ...?``: one look-up in codebooks of 1,000 to 40,000 codes.

Run by hand: ``python benchmarks/bench_similarity.py``. For each size it prints the
CPU milliseconds of one :func:`jupyter_coding.study.similarity.closest` look-up (least of
5 runs; median and worst of typos, spelling variants, swapped letters and unknown
names), after the first one, which builds the index, next to comparing the name with
every candidate in turn (as before the index; the reference the tests compare with).

Target: under 5 ms a look-up with 20,000 codes, and no cliff at any size.
"""

from __future__ import annotations

import random
import statistics
import time

from jupyter_coding.study import similarity

WORDS = [
    "data", "product", "catalogue", "mesh", "domain", "stream", "quality", "owner",
    "platform", "governance", "contract", "schema", "lineage", "self", "serve", "team",
]  # fmt: skip
SIZES = (1_000, 5_000, 8_000, 8_500, 10_000, 20_000, 40_000)


def numbered(size: int) -> list[str]:
    """``size`` identifiers of two or three of 16 words and a number: many near twins."""
    names = []
    for number in range(size):
        first, second = WORDS[number % 16], WORDS[(number // 16) % 16]
        third = f"_{WORDS[(number // 256) % 16]}" if number % 3 == 0 else ""
        names.append(f"{first}_{second}{third}_{number}")
    return names


SYLLABLES = [a + b for a in "bcdfglmnprstv" for b in "aeiou"]


def phrases(size: int) -> list[str]:
    """``size`` distinct identifiers of two to four words of a 600-word vocabulary."""
    chooser = random.Random(size)
    vocabulary = sorted(
        {"".join(chooser.choices(SYLLABLES, k=chooser.randint(2, 4))) for _ in range(700)}
    )[:600]
    names: dict[str, None] = {}
    while len(names) < size:
        names["_".join(chooser.choices(vocabulary, k=chooser.randint(2, 4)))] = None
    return list(names)


CODEBOOKS = {"numbered": numbered, "phrases": phrases}


def queries(names: list[str]) -> list[str]:
    """Typos, plural and British spellings, and names near nothing."""
    picked = names[:: max(1, len(names) // 12)][:12]
    typos = [name[:3] + name[4:] for name in picked]  # one letter dropped
    variants = [name.replace("catalogue", "catalog") + "s" for name in picked]
    swapped = [name[:5] + name[6] + name[5] + name[7:] for name in picked]
    return [*typos, *variants, *swapped, "zzz_unknown_code", "k8s", "dta_prodct"]


def cpu_ms(job, repeats: int = 1) -> float:
    """CPU milliseconds of ``job()``, the least of ``repeats`` runs (the machine is shared)."""
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        job()
        best = min(best, time.process_time() - started)
    return best * 1000


def measure(names: list[str]) -> tuple[float, list[float], list[float]]:
    """(first look-up, later look-ups, look-ups one by one) in CPU ms, among ``names``."""
    asked = queries(names)
    similarity.CandidateIndex._kept.clear()
    first = cpu_ms(lambda: similarity.closest(asked[0], names))
    indexed = [cpu_ms(lambda q=q: similarity.closest(q, names), 5) for q in asked]
    scans = [cpu_ms(lambda q=q: similarity._closest_by_scan(q, names)) for q in asked[:8]]
    return first, indexed, scans


def main() -> None:
    print(f"{'codebook':>9} {'codes':>7} {'first (index) ms':>17} {'median ms':>10} "
          f"{'worst ms':>9}   {'one by one: median ms':>22} {'worst ms':>9}")  # fmt: skip
    for kind, size in [(kind, size) for kind in CODEBOOKS for size in SIZES]:
        first, indexed, scans = measure(CODEBOOKS[kind](size))
        median, worst = statistics.median(indexed), max(indexed)
        print(
            f"{kind:>9} {size:>7} {first:>17.1f} {median:>10.2f} {worst:>9.2f}"
            f"   {statistics.median(scans):>22.1f} {max(scans):>9.1f}"
        )


if __name__ == "__main__":
    main()
