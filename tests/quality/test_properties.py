"""Property tests: results do not depend on how ids are named or ordered; perfect workers rank first."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelworks.quality import METHODS, make_estimator


@st.composite
def answer_sets(draw):
    n_tasks = draw(st.integers(2, 12))
    n_workers = draw(st.integers(2, 6))
    n_classes = draw(st.integers(2, 4))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_tasks - 1), st.integers(0, n_workers - 1)),
            min_size=3,
            max_size=40,
            unique=True,
        )
    )
    labels = draw(st.lists(st.integers(0, n_classes - 1), min_size=len(pairs), max_size=len(pairs)))
    seed = draw(st.integers(0, 2**31 - 1))
    return [p[0] for p in pairs], [p[1] for p in pairs], labels, seed


@pytest.mark.parametrize("method", sorted(METHODS))
@settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=answer_sets())
def test_renaming_and_reordering_ids_does_not_change_results(method: str, data) -> None:
    tasks, workers, labels, seed = data
    rng = np.random.default_rng(seed)
    task_name = {
        t: f"task-{v}"
        for t, v in zip(sorted(set(tasks)), rng.permutation(len(set(tasks))), strict=True)
    }
    worker_name = {
        w: f"w{v}"
        for w, v in zip(sorted(set(workers)), rng.permutation(len(set(workers))), strict=True)
    }
    order = rng.permutation(len(tasks))
    base = make_estimator(method).fit(tasks, workers, [f"c{x}" for x in labels])
    moved = make_estimator(method).fit(
        [task_name[tasks[i]] for i in order],
        [worker_name[workers[i]] for i in order],
        [f"c{labels[i]}" for i in order],
    )
    a, b = base.result(), moved.result()
    probas_a = dict(zip(base.tasks_.tolist(), base.probas_, strict=True))
    probas_b = dict(zip(moved.tasks_.tolist(), moved.probas_, strict=True))
    for t in a:
        np.testing.assert_allclose(probas_a[t], probas_b[task_name[t]], atol=1e-6)
        top = np.sort(probas_a[t])[::-1]
        if (
            len(top) < 2 or top[0] - top[1] > 1e-6
        ):  # exact ties may break either way after float reordering
            assert a[t][0] == b[task_name[t]][0]
    for w, s in base.skills_.items():
        assert s == pytest.approx(moved.skills_[worker_name[w]], abs=1e-6)


@pytest.mark.parametrize("method", ["wawa", "zbs", "ds", "onecoin", "glad", "mace", "mv"])
@settings(max_examples=15, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31 - 1), n_classes=st.integers(2, 4))
def test_worker_who_always_agrees_with_truth_gets_top_skill(
    method: str, seed: int, n_classes: int
) -> None:
    rng = np.random.default_rng(seed)
    # Enough reasonable workers that the majority is right almost always: for MV and Wawa a
    # skill *is* agreement with the majority, so the property only holds when the majority is good.
    n_tasks, n_workers = 120, 9
    truth = rng.integers(0, n_classes, n_tasks)
    accuracy = rng.uniform(0.6, 0.8, n_workers)
    accuracy[0] = 1.0
    tasks, workers, labels = [], [], []
    for t in range(n_tasks):
        for w in range(n_workers):
            right = rng.random() < accuracy[w]
            wrong = (truth[t] + rng.integers(1, n_classes)) % n_classes
            tasks.append(t)
            workers.append(w)
            labels.append(int(truth[t] if right else wrong))
    skills = make_estimator(method).fit(tasks, workers, labels).skills_
    assert skills[0] >= max(skills.values()) - 1e-9
