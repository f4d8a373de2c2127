"""Preference aggregation for comparison tasks: Bradley-Terry over pairwise choices, majority per pair."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Ranking:
    """Bradley-Terry result: `scores` (log-strengths, mean 0), `ranks` (1 = best) and
    `confidence[item]` = modelled P(item beats the item ranked just below it)."""

    scores: dict[Any, float]
    ranks: dict[Any, int]
    confidence: dict[Any, float]


def bradley_terry(
    items: Sequence[Hashable],
    comparisons: Sequence[tuple[Hashable, Hashable]],
    n_iter: int = 1000,
    tol: float = 1e-9,
    prior: float = 0.5,
) -> dict[Any, float]:
    """Log-strength per item from `(winner, loser)` pairs, fitted with Hunter's MM algorithm.

    `prior` adds that many virtual wins and losses against an average item, so items that never
    won (or never lost) still get a finite score.
    """
    index = {it: i for i, it in enumerate(items)}
    n = len(index)
    if n == 0:
        return {}
    win = np.fromiter((index[w] for w, _ in comparisons), dtype=np.int64, count=len(comparisons))
    lose = np.fromiter((index[lo] for _, lo in comparisons), dtype=np.int64, count=len(comparisons))
    wins = np.bincount(win, minlength=n) + prior
    strength = np.ones(n)
    for _ in range(n_iter):
        inv = 1.0 / (strength[win] + strength[lose])
        denom = np.bincount(win, inv, n) + np.bincount(lose, inv, n) + 2 * prior / (strength + 1.0)
        new = wins / denom
        done = np.abs(new - strength).max() < tol
        strength = new
        if done:
            break
    scores = np.log(strength)
    return dict(zip(index, (scores - scores.mean()).tolist(), strict=True))


def rank_preferences(
    items: Sequence[Hashable], comparisons: Sequence[tuple[Hashable, Hashable]], **kwargs: Any
) -> Ranking:
    """Bradley-Terry scores plus ranks and, per item, P(beats the next-ranked item)."""
    scores = bradley_terry(items, comparisons, **kwargs)
    order = sorted(scores, key=lambda it: -scores[it])
    ranks = {it: r + 1 for r, it in enumerate(order)}
    confidence = {}
    for above, below in zip(order, [*order[1:], None], strict=True):
        if below is None:
            confidence[above] = 1.0
        else:
            confidence[above] = float(1 / (1 + np.exp(scores[below] - scores[above])))
    return Ranking(scores, ranks, confidence)


def aggregate_preference(
    choices: Sequence[Hashable], weights: Sequence[float] | None = None
) -> tuple[Any, float]:
    """Weighted majority for a single pair (or any single choice): `(winner, share of weight)`.

    Ties go to the choice seen first, so the result does not depend on hashing.
    """
    if not choices:
        raise ValueError("no choices to aggregate")
    w = [1.0] * len(choices) if weights is None else list(weights)
    totals: dict[Any, float] = {}
    for c, wt in zip(choices, w, strict=True):
        totals[c] = totals.get(c, 0.0) + wt
    winner = max(totals, key=lambda c: totals[c])  # max keeps the first of equal values
    total = sum(totals.values())
    return winner, (totals[winner] / total if total > 0 else 1.0 / len(totals))
