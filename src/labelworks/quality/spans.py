"""Span consensus for NER: span matching, span-level F1, and (skill-weighted) span voting.

Spans are `{"start", "end", "label"}` dicts with `end` exclusive.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any, Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

Span = dict[str, Any]
Mode = Literal["exact", "overlap"]


def _key(s: Span) -> tuple[int, int, Any]:
    return (int(s["start"]), int(s["end"]), s.get("label"))


def _overlaps(a: Span, b: Span) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def match_spans(
    pred: Sequence[Span], gold: Sequence[Span], mode: Mode = "exact"
) -> list[tuple[int, int]]:
    """One-to-one matches: identical (start, end, label) for `exact`; same label and any overlap
    for `overlap` (Hungarian on overlap length, so one long span cannot claim two gold spans)."""
    if mode == "exact":
        free: dict[tuple[int, int, Any], list[int]] = {}
        for j, g in enumerate(gold):
            free.setdefault(_key(g), []).append(j)
        out = []
        for i, p in enumerate(pred):
            js = free.get(_key(p))
            if js:
                out.append((i, js.pop(0)))
        return out
    if mode != "overlap":
        raise ValueError(f"unknown mode {mode!r}; choose exact or overlap")
    if not pred or not gold:
        return []
    ov = np.array(
        [
            [
                (min(p["end"], g["end"]) - max(p["start"], g["start"]))
                if p.get("label") == g.get("label") and _overlaps(p, g)
                else 0
                for g in gold
            ]
            for p in pred
        ],
        dtype=np.float64,
    )
    rows, cols = linear_sum_assignment(ov, maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if ov[i, j] > 0]


def span_f1(pred: Sequence[Span], gold: Sequence[Span], mode: Mode = "exact") -> float:
    """Span-level F1 of `pred` against `gold` (1.0 when both are empty)."""
    if not pred and not gold:
        return 1.0
    return 2 * len(match_spans(pred, gold, mode)) / (len(pred) + len(gold))


def span_agreement(per_worker: Sequence[Sequence[Span]], mode: Mode = "exact") -> float:
    """Mean pairwise span F1 between annotators (1.0 with fewer than two annotators)."""
    pairs = [span_f1(a, b, mode) for a, b in combinations(per_worker, 2)]
    return float(np.mean(pairs)) if pairs else 1.0


def fuse_spans(
    per_worker: Sequence[Sequence[Span]],
    weights: Sequence[float] | None = None,
    quorum: float | None = None,
) -> list[Span]:
    """Weighted vote over exact spans: keep spans whose supporters' weight reaches `quorum`
    (default: more than half the total weight), then drop overlaps, strongest first.

    Each result carries `score` (supporting weight / total weight).
    """
    w = [1.0] * len(per_worker) if weights is None else [float(x) for x in weights]
    total = sum(w)
    support: dict[tuple[int, int, Any], float] = {}
    for spans, wt in zip(per_worker, w, strict=True):
        for key in {_key(s) for s in spans}:  # a worker votes once per span
            support[key] = support.get(key, 0.0) + wt
    need = total / 2 if quorum is None else quorum
    strict = quorum is None
    cands = [(k, v) for k, v in support.items() if (v > need if strict else v >= need)]
    # Strongest first; among equals the longer, then the earlier span, so output is deterministic.
    cands.sort(key=lambda kv: (-kv[1], -(kv[0][1] - kv[0][0]), kv[0][0], str(kv[0][2])))
    kept: list[Span] = []
    for (start, end, label), v in cands:
        span = {"start": start, "end": end, "label": label}
        if not any(_overlaps(span, k) for k in kept):
            kept.append({**span, "score": v / total if total else 0.0})
    return sorted(kept, key=lambda s: (s["start"], s["end"]))
