"""Turn `task, worker, label` sequences with arbitrary hashable ids into integer arrays, once.

Every estimator works on the integer codes produced here, so the EM loops never touch Python
objects. Classes are sorted, which makes ties break the same way everywhere (lowest class wins).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def factorize(
    values: Sequence[Hashable] | NDArray[Any], sort: bool = False
) -> tuple[IntArray, NDArray[Any]]:
    """Return `(codes, uniques)` so that `uniques[codes] == values`.

    Numeric and fixed-width string arrays go through `np.unique` (sorted, fast); anything else
    (mixed objects, tuples) through a dict, which keeps first-seen order unless `sort` is set.
    """
    arr = values if isinstance(values, np.ndarray) else None
    if arr is None:
        try:
            arr = np.asarray(values)
        except (ValueError, TypeError):
            arr = None
    if arr is not None and arr.ndim == 1 and arr.dtype.kind in "iu" and len(arr):
        low, high = int(arr.min()), int(arr.max())
        if low >= 0 and high < 4 * len(arr) + 1024:
            # Dense non-negative ids: a presence table is O(n), where np.unique sorts.
            present = np.zeros(high + 1, dtype=bool)
            present[arr] = True
            remap = np.cumsum(present, dtype=np.int64) - 1
            return remap[arr], np.flatnonzero(present).astype(arr.dtype, copy=False)
    if arr is not None and arr.ndim == 1 and arr.dtype.kind in "biufUS":
        uniques, codes = np.unique(arr, return_inverse=True)
        return codes.astype(np.int64, copy=False), uniques
    index: dict[Hashable, int] = {}
    codes_list = [index.setdefault(v, len(index)) for v in values]
    uniques_obj = np.empty(len(index), dtype=object)
    uniques_obj[:] = list(index)
    codes_arr = np.asarray(codes_list, dtype=np.int64)
    if sort:
        try:
            order = np.argsort(uniques_obj, kind="stable")
        except TypeError:  # unorderable mixture: keep first-seen order
            return codes_arr, uniques_obj
        remap = np.empty_like(order)
        remap[order] = np.arange(len(order))
        return remap[codes_arr], uniques_obj[order]
    return codes_arr, uniques_obj


@dataclass(frozen=True)
class Encoded:
    """Answers as integer codes plus the tables that map codes back to the caller's ids."""

    task: IntArray
    worker: IntArray
    label: IntArray
    tasks: NDArray[Any]
    workers: NDArray[Any]
    classes: NDArray[Any]
    gold_task: IntArray  # codes of tasks with a known answer
    gold_label: IntArray  # their true class codes

    @property
    def n_tasks(self) -> int:
        return len(self.tasks)

    @property
    def n_workers(self) -> int:
        return len(self.workers)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def n_answers(self) -> int:
        return len(self.task)


def encode(
    tasks: Sequence[Hashable] | NDArray[Any],
    workers: Sequence[Hashable] | NDArray[Any],
    labels: Sequence[Hashable] | NDArray[Any],
    gold: Mapping[Any, Any] | None = None,
) -> Encoded:
    """Encode three equal-length sequences (and optional `gold: task -> label`) to codes."""
    n = len(tasks)
    if len(workers) != n or len(labels) != n:
        raise ValueError("tasks, workers and labels must have the same length")
    t_codes, t_uniques = factorize(tasks)
    w_codes, w_uniques = factorize(workers)
    gold = dict(gold or {})
    if gold:
        # Gold answers may name a class no worker used; it still has to be a class.
        extra = [v for v in set(gold.values())]
        all_labels: Any = (
            list(labels) + extra
            if not isinstance(labels, np.ndarray)
            else np.concatenate(
                [
                    labels,
                    np.asarray(extra, dtype=labels.dtype if labels.dtype.kind != "U" else None),
                ]
            )
        )
        l_all, classes = factorize(all_labels, sort=True)
        l_codes = l_all[:n]
        class_index = {c: i for i, c in enumerate(classes.tolist())}
        task_index = {t: i for i, t in enumerate(t_uniques.tolist())}
        pairs = [(task_index[t], class_index[v]) for t, v in gold.items() if t in task_index]
        g_task = np.asarray([p[0] for p in pairs], dtype=np.int64)
        g_label = np.asarray([p[1] for p in pairs], dtype=np.int64)
    else:
        l_codes, classes = factorize(labels, sort=True)
        g_task = np.zeros(0, dtype=np.int64)
        g_label = np.zeros(0, dtype=np.int64)
    return Encoded(t_codes, w_codes, l_codes, t_uniques, w_uniques, classes, g_task, g_label)
