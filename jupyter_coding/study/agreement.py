"""Agreement between coders: percent agreement, Cohen's kappa, Krippendorff's alpha.

Pure Python, no dependencies: the figures ``jupyter-coding agree`` reports. A *unit*
is what the coders judged (in a study, a quote paragraph); each coder gives a unit one
value (a code applied or not, a set of codes). Units a coder did not judge are left
out of that coder's values. The tests check every function against a hand-computed
example and against nltk and the ``krippendorff`` package (the ``agreement`` extra).

Undefined figures are ``None``, never a made-up 1 or 0: kappa when chance agreement
is already perfect (both coders always give the same one value), alpha when the
values do not vary at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from itertools import combinations

__all__ = [
    "cohen_kappa",
    "counted",
    "krippendorff_alpha",
    "masi_distance",
    "nominal_distance",
    "percent_agreement",
]

Distance = Callable[[Hashable, Hashable], float]
# each unit's values (one per coder who judged it), or such values -> how many units
Units = Iterable[Sequence[Hashable]] | Mapping[tuple, int]


def counted(units: Units) -> list[tuple[tuple, int]]:
    """(values, how many units have them): units that got the same values, once.

    Every function here takes its units either as a sequence of value sequences or,
    for large studies, already counted as a mapping ``{values: number of units}``.
    """
    if isinstance(units, Mapping):
        return [(tuple(values), number) for values, number in units.items() if number]
    return list(Counter(tuple(values) for values in units).items())


def percent_agreement(units: Units) -> float | None:
    """The share of units on which every coder gave the same value (0..1).

    ``units`` holds each unit's values, one per coder who judged it; units judged by
    fewer than two coders say nothing about agreement and are left out. None when no
    unit is left.
    """
    judged = [(values, n) for values, n in counted(units) if len(values) >= 2]
    total = sum(n for _, n in judged)
    if not total:
        return None
    return sum(n for values, n in judged if len(set(values)) == 1) / total


def cohen_kappa(pairs: Units) -> float | None:
    """Cohen's kappa of two coders: ``(observed - chance) / (1 - chance)``.

    ``pairs`` holds (first coder's value, second coder's value) per unit. Chance
    agreement is the sum over values of the product of each coder's share of that
    value (Cohen 1960). None without units, or when chance agreement is 1.
    """
    items = counted(pairs)
    count = sum(n for _, n in items)
    if not count:
        return None
    observed = sum(n for (first, second), n in items if first == second)
    firsts: Counter = Counter()
    seconds: Counter = Counter()
    for (first, second), n in items:
        firsts[first] += n
        seconds[second] += n
    chance = sum(number * seconds[value] for value, number in firsts.items())
    if chance == count * count:
        return None
    # in counts: (observed/n - chance/n²) / (1 - chance/n²)
    return (observed * count - chance) / (count * count - chance)


def nominal_distance(first: Hashable, second: Hashable) -> float:
    """0 for the same value, 1 for any two different ones."""
    return 0.0 if first == second else 1.0


def masi_distance(first: Collection, second: Collection) -> float:
    """MASI distance of two sets (Passonneau 2006), for coders who give several codes.

    ``1 - J * M`` with J the Jaccard similarity and M 1 for equal sets, 2/3 when one
    holds the other, 1/3 when they overlap otherwise, 0 when they are disjoint. Two
    empty sets are equal (distance 0).
    """
    first, second = set(first), set(second)
    union = len(first | second)
    if not union:
        return 0.0
    common = len(first & second)
    if common == len(first) == len(second):
        monotonicity = 1.0
    elif common == min(len(first), len(second)):
        monotonicity = 2 / 3
    elif common:
        monotonicity = 1 / 3
    else:
        monotonicity = 0.0
    return 1.0 - common / union * monotonicity


def krippendorff_alpha(units: Units, distance: Distance = nominal_distance) -> float | None:
    """Krippendorff's alpha, ``1 - observed / expected disagreement`` (Krippendorff 1980).

    ``units`` holds each unit's values, one per coder who judged it: coders may miss
    units, and there may be any number of coders. Units with fewer than two values
    cannot be paired and are left out. With ``n`` pairable values in all, ``n_c`` of
    them ``c``, and ``n_uc`` of unit ``u``'s ``m_u`` values ``c``::

        alpha = 1 - (n - 1) * sum_u sum_ck n_uc n_uk d(c, k) / (m_u - 1)
                            / sum_ck n_c n_k d(c, k)

    ``distance`` is :func:`nominal_distance` (default) or :func:`masi_distance` for
    sets of codes. None when nothing can be paired or the values never differ.
    """
    observed = 0.0
    totals: Counter = Counter()
    for values, number in counted(units):
        if len(values) < 2:
            continue
        counts = Counter(values)
        for value, count in counts.items():
            totals[value] += count * number
        within = sum(
            counts[first] * counts[second] * distance(first, second)
            for first, second in combinations(counts, 2)
        )
        observed += 2 * within / (len(values) - 1) * number
    pairable = sum(totals.values())
    expected = 2 * sum(
        totals[first] * totals[second] * distance(first, second)
        for first, second in combinations(totals, 2)
    )
    if pairable < 2 or expected == 0:
        return None
    return 1.0 - (pairable - 1) * observed / expected
