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
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from itertools import combinations

__all__ = [
    "cohen_kappa",
    "krippendorff_alpha",
    "masi_distance",
    "nominal_distance",
    "percent_agreement",
]

Distance = Callable[[Hashable, Hashable], float]


def percent_agreement(units: Iterable[Sequence[Hashable]]) -> float | None:
    """The share of units on which every coder gave the same value (0..1).

    ``units`` holds each unit's values, one per coder who judged it; units judged by
    fewer than two coders say nothing about agreement and are left out. None when no
    unit is left.
    """
    judged = [values for values in units if len(values) >= 2]
    if not judged:
        return None
    return sum(1 for values in judged if len(set(values)) == 1) / len(judged)


def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa of two coders: ``(observed - chance) / (1 - chance)``.

    ``pairs`` holds (first coder's value, second coder's value) per unit. Chance
    agreement is the sum over values of the product of each coder's share of that
    value (Cohen 1960). None without units, or when chance agreement is 1.
    """
    count = len(pairs)
    if not count:
        return None
    observed = sum(1 for first, second in pairs if first == second)
    firsts = Counter(first for first, _ in pairs)
    seconds = Counter(second for _, second in pairs)
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


def krippendorff_alpha(
    units: Iterable[Sequence[Hashable]], distance: Distance = nominal_distance
) -> float | None:
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
    for values in units:
        if len(values) < 2:
            continue
        counts = Counter(values)
        totals.update(counts)
        within = sum(
            counts[first] * counts[second] * distance(first, second)
            for first, second in combinations(counts, 2)
        )
        observed += 2 * within / (len(values) - 1)
    pairable = sum(totals.values())
    expected = 2 * sum(
        totals[first] * totals[second] * distance(first, second)
        for first, second in combinations(totals, 2)
    )
    if pairable < 2 or expected == 0:
        return None
    return 1.0 - (pairable - 1) * observed / expected
