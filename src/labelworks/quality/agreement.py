"""Inter-annotator agreement: Krippendorff's alpha, Fleiss' kappa, Cohen's kappa, agreement with consensus."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from labelworks.quality.encoding import FloatArray, factorize

Level = Literal["nominal", "ordinal", "interval"]


def value_counts(tasks: Sequence[Hashable], labels: Sequence[Hashable]) -> tuple[FloatArray, Any]:
    """`(counts, values)`: `counts[u, v]` = how many answers on unit u gave `values[v]` (sorted)."""
    t, _ = factorize(tasks)
    v, values = factorize(labels, sort=True)
    k = len(values)
    counts = np.bincount(t * k + v, minlength=(t.max() + 1 if len(t) else 0) * k).reshape(-1, k)
    return counts.astype(np.float64), values


def krippendorff_alpha(
    tasks: Sequence[Hashable] | None = None,
    labels: Sequence[Hashable] | None = None,
    level: Level = "nominal",
    *,
    counts: ArrayLike | None = None,
    values: ArrayLike | None = None,
) -> float:
    """Krippendorff's alpha from long-form answers (`tasks`, `labels`) or a units x values count table.

    For `ordinal` and `interval` the values must be numbers (or pass `values` in order);
    units with fewer than two answers are not pairable and are ignored, as in the reference.
    """
    if counts is None:
        if tasks is None or labels is None:
            raise ValueError("pass tasks and labels, or counts")
        c, vals = value_counts(tasks, labels)
    else:
        c = np.asarray(counts, dtype=np.float64)
        vals = np.arange(c.shape[1]) if values is None else np.asarray(values)
    if c.shape[1] < 2:
        raise ValueError("need at least two distinct values")
    m = c.sum(axis=1)
    pairable = m >= 2
    if not pairable.any():
        raise ValueError("need at least one unit with two or more answers")
    c, m = c[pairable], m[pairable]
    scale = 1.0 / (m - 1)
    # Coincidences: o[v, v'] = sum over units of c_v * c_v' (minus self-pairs) / (m_u - 1).
    o = (c * scale[:, None]).T @ c - np.diag((c * scale[:, None]).sum(axis=0))
    n_v = o.sum(axis=0)
    n = n_v.sum()
    e = (np.outer(n_v, n_v) - np.diag(n_v)) / (n - 1)
    d = _distances(level, np.asarray(vals), n_v)
    return float(1 - (o * d).sum() / (e * d).sum())


def _distances(level: Level, values: Any, n_v: FloatArray) -> FloatArray:
    k = len(n_v)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "interval":
        x = values.astype(np.float64)
        return (x[:, None] - x[None, :]) ** 2
    if level == "ordinal":
        # Sum of the marginals between the two ranks, minus half of each end (Krippendorff 2011).
        cum = np.concatenate([[0.0], np.cumsum(n_v)])
        i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        between = cum[hi + 1] - cum[lo]
        return (between - (n_v[i] + n_v[j]) / 2) ** 2
    raise ValueError(f"unknown level {level!r}; choose nominal, ordinal or interval")


def fleiss_kappa(
    tasks: Sequence[Hashable] | None = None,
    labels: Sequence[Hashable] | None = None,
    *,
    counts: ArrayLike | None = None,
) -> float:
    """Fleiss' kappa from long-form answers or a subjects x categories count table.

    Subjects may have different numbers of raters (per-subject agreement uses its own n);
    with equal numbers this is exactly Fleiss (1971). Subjects with one rater are skipped.
    """
    if counts is None:
        if tasks is None or labels is None:
            raise ValueError("pass tasks and labels, or counts")
        c, _ = value_counts(tasks, labels)
    else:
        c = np.asarray(counts, dtype=np.float64)
    n = c.sum(axis=1)
    c, n = c[n >= 2], n[n >= 2]
    if not len(c):
        raise ValueError("need at least one subject with two or more ratings")
    p_j = c.sum(axis=0) / n.sum()
    p_i = ((c * c).sum(axis=1) - n) / (n * (n - 1))
    p_bar, p_e = p_i.mean(), float((p_j * p_j).sum())
    return float((p_bar - p_e) / (1 - p_e))


def cohen_kappa(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    weights: Literal["linear", "quadratic"] | None = None,
) -> float:
    """Cohen's kappa between two raters' parallel answers (weighted for ordered numeric codes)."""
    if len(a) != len(b):
        raise ValueError("both raters must label the same items")
    codes, values = factorize(list(a) + list(b), sort=True)
    k, n = len(values), len(a)
    conf = np.bincount(codes[:n] * k + codes[n:], minlength=k * k).reshape(k, k).astype(np.float64)
    expected = np.outer(conf.sum(axis=1), conf.sum(axis=0)) / conf.sum()
    i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    if weights is None:
        w = (i != j).astype(np.float64)
    elif weights == "linear":
        w = np.abs(i - j).astype(np.float64)
    else:
        w = ((i - j) ** 2).astype(np.float64)
    return float(1 - (w * conf).sum() / (w * expected).sum())


def worker_agreement(
    tasks: Sequence[Hashable],
    workers: Sequence[Hashable],
    labels: Sequence[Hashable],
    consensus: Mapping[Any, Any] | None = None,
) -> dict[Any, float]:
    """Share of each worker's answers that match the consensus label (majority vote if not given)."""
    if consensus is None:
        from labelworks.quality.majority_vote import MajorityVote

        consensus = {
            t: lab for t, (lab, _) in MajorityVote().fit(tasks, workers, labels).result().items()
        }
    hits: dict[Any, list[int]] = {}
    for t, w, lab in zip(tasks, workers, labels, strict=True):
        if t in consensus:
            h = hits.setdefault(w, [0, 0])
            h[0] += lab == consensus[t]
            h[1] += 1
    return {w: h[0] / h[1] for w, h in hits.items()}
