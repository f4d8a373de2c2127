"""The one estimator shape every categorical truth-inference method shares.

Subclasses implement `_fit(enc) -> (probas, skills)` on integer codes; this class handles encoding,
gold clamping bookkeeping, and turning arrays back into the caller's ids.

Fitted attributes (parallel arrays, aligned with `tasks_` and `classes_`):
- `tasks_`: task ids; `classes_`: class labels (sorted);
- `labels_`: the inferred label of each task; `probas_`: `(n_tasks, n_classes)` posteriors;
- `skills_`: `dict worker -> float` (meaning depends on the method, higher is better);
- `gold_accuracy_`: `dict worker -> accuracy on gold tasks`, for workers who answered gold.
`result()` returns `dict task -> (label, confidence)`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelworks.quality.encoding import Encoded, FloatArray, IntArray, encode

_EPS = 1e-10


class BaseAggregator:
    """Common `fit / fit_predict / fit_predict_proba / result` for categorical aggregators."""

    def __init__(self, n_iter: int = 100, tol: float = 1e-5, seed: int = 0) -> None:
        self.n_iter = n_iter
        self.tol = tol
        self.seed = seed

    # -- public API -------------------------------------------------------------------------
    def fit(
        self,
        tasks: Sequence[Hashable] | NDArray[Any],
        workers: Sequence[Hashable] | NDArray[Any],
        labels: Sequence[Hashable] | NDArray[Any],
        gold: Mapping[Any, Any] | None = None,
    ) -> BaseAggregator:
        """Infer each task's true label from the answers; `gold` (task -> label) stays fixed."""
        return self.fit_encoded(encode(tasks, workers, labels, gold))

    def fit_encoded(self, enc: Encoded) -> BaseAggregator:
        """Fit on already-encoded answers (lets benchmarks and wrappers skip re-encoding)."""
        self.encoded_ = enc
        if enc.n_answers == 0:
            probas = np.zeros((0, enc.n_classes))
            skills = np.zeros(0)
        else:
            probas, skills = self._fit(enc)
        self.tasks_ = enc.tasks
        self.classes_ = enc.classes
        self.probas_ = probas
        self.label_codes_ = probas.argmax(axis=1) if len(probas) else np.zeros(0, dtype=np.int64)
        self.labels_ = (
            enc.classes[self.label_codes_] if enc.n_classes else np.zeros(0, dtype=object)
        )
        self.skills_ = dict(zip(enc.workers.tolist(), skills.tolist(), strict=True))
        self.gold_accuracy_ = gold_accuracy(enc)
        return self

    def fit_predict(self, tasks: Any, workers: Any, labels: Any, gold: Any = None) -> NDArray[Any]:
        """Fit, then return `labels_` (aligned with `tasks_`)."""
        return self.fit(tasks, workers, labels, gold).labels_

    def fit_predict_proba(
        self, tasks: Any, workers: Any, labels: Any, gold: Any = None
    ) -> FloatArray:
        """Fit, then return `probas_` (rows aligned with `tasks_`, columns with `classes_`)."""
        return self.fit(tasks, workers, labels, gold).probas_

    def result(self) -> dict[Any, tuple[Any, float]]:
        """`dict task -> (label, confidence)`, confidence being the posterior of that label."""
        conf = self.probas_[np.arange(len(self.probas_)), self.label_codes_]
        return dict(
            zip(
                self.tasks_.tolist(),
                zip(self.labels_.tolist(), conf.tolist(), strict=True),
                strict=True,
            )
        )

    # -- for subclasses ---------------------------------------------------------------------
    def _fit(self, enc: Encoded) -> tuple[FloatArray, FloatArray]:
        raise NotImplementedError


# -- shared numpy helpers -------------------------------------------------------------------
def vote_probas(enc: Encoded, weights: FloatArray | None = None) -> FloatArray:
    """(Weighted) vote shares per task and class, gold tasks clamped to their truth."""
    k = enc.n_classes
    scores = np.bincount(enc.task * k + enc.label, weights=weights, minlength=enc.n_tasks * k)
    scores = scores.reshape(enc.n_tasks, k)
    return clamp_gold(normalize_rows(scores.astype(np.float64)), enc)


def normalize_rows(scores: FloatArray) -> FloatArray:
    """Rows scaled to sum to 1; an all-zero row (no usable weight) becomes uniform."""
    total = scores.sum(axis=1, keepdims=True)
    out = np.divide(scores, total, out=np.empty_like(scores, dtype=np.float64), where=total > 0)
    out[(total <= 0).ravel()] = 1.0 / scores.shape[1]
    return out


def clamp_gold(probas: FloatArray, enc: Encoded) -> FloatArray:
    """Pin tasks with a known answer to a one-hot posterior on that answer (in place)."""
    if len(enc.gold_task):
        probas[enc.gold_task] = 0.0
        probas[enc.gold_task, enc.gold_label] = 1.0
    return probas


def worker_accuracy(enc: Encoded, label_codes: IntArray) -> FloatArray:
    """Share of each worker's answers that equal `label_codes[task]` (0 for idle workers)."""
    hits = (enc.label == label_codes[enc.task]).astype(np.float64)
    n = np.bincount(enc.worker, minlength=enc.n_workers)
    return np.bincount(enc.worker, weights=hits, minlength=enc.n_workers) / np.maximum(n, 1)


def gold_accuracy(enc: Encoded) -> dict[Any, float]:
    """Each worker's accuracy on the gold tasks they answered."""
    if not len(enc.gold_task):
        return {}
    truth = np.full(enc.n_tasks, -1, dtype=np.int64)
    truth[enc.gold_task] = enc.gold_label
    on_gold = truth[enc.task] >= 0
    w = enc.worker[on_gold]
    hits = (enc.label[on_gold] == truth[enc.task[on_gold]]).astype(np.float64)
    n = np.bincount(w, minlength=enc.n_workers)
    acc = np.bincount(w, weights=hits, minlength=enc.n_workers) / np.maximum(n, 1)
    idx = np.flatnonzero(n)
    return dict(zip(enc.workers[idx].tolist(), acc[idx].tolist(), strict=True))


def row_max(x: FloatArray) -> FloatArray:
    """`x.max(axis=1)`, column by column: numpy reduces short rows slowly, and K is small."""
    out = x[:, 0].copy()
    for j in range(1, x.shape[1]):
        np.maximum(out, x[:, j], out=out)
    return out


def row_sum(x: FloatArray) -> FloatArray:
    """`x.sum(axis=1)`, column by column (see `row_max`)."""
    out = x[:, 0].copy()
    for j in range(1, x.shape[1]):
        out += x[:, j]
    return out


def log_normalize(loglik: FloatArray) -> FloatArray:
    """Softmax over rows of log-likelihoods, stable against under/overflow."""
    loglik = loglik - row_max(loglik)[:, None]
    np.exp(loglik, out=loglik)
    loglik /= row_sum(loglik)[:, None]
    return loglik
