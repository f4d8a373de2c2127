"""Multi-label answers (`allow_multiple`): one binary "is category c present?" problem per category.

A worker who answered a task gave an implicit "no" for every category they did not pick, so each
category becomes a yes/no vote among everyone who answered that task.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import numpy as np

from labelworks.quality.base import BaseAggregator
from labelworks.quality.encoding import Encoded, factorize


class MultiLabelAggregator:
    """Wraps a categorical estimator; `labels_[i]` is the frozenset of categories kept for `tasks_[i]`.

    `probas_` is `(n_tasks, n_categories)`: P(category present), columns aligned with `categories_`.
    A category is kept when that probability is at least `threshold`.
    """

    def __init__(
        self, make_estimator: Callable[[], BaseAggregator], threshold: float = 0.5
    ) -> None:
        self.make_estimator = make_estimator
        self.threshold = threshold

    def fit(
        self,
        tasks: Sequence[Hashable],
        workers: Sequence[Hashable],
        labels: Sequence[Iterable[Hashable]],
        gold: dict[Any, Iterable[Hashable]] | None = None,
    ) -> MultiLabelAggregator:
        t_codes, t_uniq = factorize(tasks)
        w_codes, w_uniq = factorize(workers)
        flat = [(i, c) for i, cats in enumerate(labels) for c in cats]
        cats_seen = [c for _, c in flat] + [c for v in (gold or {}).values() for c in v]
        _, categories = factorize(cats_seen, sort=True)
        cat_index = {c: j for j, c in enumerate(categories.tolist())}
        n, n_cat = len(t_codes), len(categories)
        present = np.zeros((n, n_cat), dtype=np.int64)
        if flat:
            rows = np.fromiter((i for i, _ in flat), dtype=np.int64, count=len(flat))
            cols = np.fromiter((cat_index[c] for _, c in flat), dtype=np.int64, count=len(flat))
            present[rows, cols] = 1
        task_index = {t: i for i, t in enumerate(t_uniq.tolist())}
        gold_rows = [
            (task_index[t], {cat_index[c] for c in v})
            for t, v in (gold or {}).items()
            if t in task_index
        ]
        probas = np.zeros((len(t_uniq), n_cat))
        self.estimators_: list[BaseAggregator] = []
        for j in range(n_cat):
            g_task = np.asarray([r for r, _ in gold_rows], dtype=np.int64)
            g_label = np.asarray([int(j in s) for _, s in gold_rows], dtype=np.int64)
            enc = Encoded(
                t_codes, w_codes, present[:, j], t_uniq, w_uniq, np.array([0, 1]), g_task, g_label
            )
            est = self.make_estimator().fit_encoded(enc)
            probas[:, j] = est.probas_[:, 1]
            self.estimators_.append(est)
        self.tasks_ = t_uniq
        self.categories_ = categories
        self.probas_ = probas
        keep = probas >= self.threshold
        self.labels_ = np.empty(len(t_uniq), dtype=object)
        self.labels_[:] = [frozenset(categories[row].tolist()) for row in keep]
        return self

    def result(self) -> dict[Any, tuple[frozenset[Any], float]]:
        """`dict task -> (categories, confidence)`; confidence is the least certain category decision."""
        sure = np.where(self.probas_ >= self.threshold, self.probas_, 1 - self.probas_)
        conf = sure.min(axis=1) if sure.shape[1] else np.ones(len(self.tasks_))
        return dict(
            zip(
                self.tasks_.tolist(),
                zip(self.labels_.tolist(), conf.tolist(), strict=True),
                strict=True,
            )
        )
