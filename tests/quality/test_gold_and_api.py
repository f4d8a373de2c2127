"""Gold clamping, the `aggregate` convenience, multi-label answers, and the adaptive overlap policy."""

from __future__ import annotations

import pytest

from labelworks.quality import (
    METHODS,
    AdaptiveOverlapPolicy,
    DawidSkene,
    MajorityVote,
    MultiLabelAggregator,
    aggregate,
    make_estimator,
    simulate_adaptive,
)

TASKS = ["t1", "t1", "t1", "t2", "t2", "t2", "t3", "t3", "t3"]
WORKERS = ["a", "b", "c", "a", "b", "c", "a", "b", "c"]
LABELS = ["cat", "cat", "dog", "dog", "dog", "cat", "cat", "dog", "dog"]


@pytest.mark.parametrize("method", sorted(METHODS))
def test_gold_task_stays_at_its_truth_even_when_everyone_disagrees(method: str) -> None:
    result = aggregate(TASKS, WORKERS, LABELS, method=method, gold={"t1": "dog"})
    assert result["t1"] == ("dog", 1.0)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_gold_accuracy_is_reported_per_worker(method: str) -> None:
    est = make_estimator(method).fit(TASKS, WORKERS, LABELS, gold={"t1": "cat", "t2": "dog"})
    assert est.gold_accuracy_ == {"a": 1.0, "b": 1.0, "c": 0.0}


def test_gold_label_no_worker_used_becomes_a_class() -> None:
    result = aggregate(TASKS, WORKERS, LABELS, method="ds", gold={"t3": "bird"})
    assert result["t3"][0] == "bird"


def test_gold_informs_skills_in_dawid_skene() -> None:
    # Worker c is right on every gold task, a and b are wrong; without gold a and b outvote c.
    tasks = [t for t in range(10) for _ in range(3)]
    workers = ["a", "b", "c"] * 10
    labels = [x for t in range(10) for x in ("x", "x", "y")]
    gold = {t: "y" for t in range(9)}
    without = DawidSkene().fit(tasks, workers, labels).result()
    with_gold = DawidSkene().fit(tasks, workers, labels, gold=gold)
    assert without[9][0] == "x"
    assert with_gold.result()[9][0] == "y"
    assert with_gold.skills_["c"] > with_gold.skills_["a"]


def test_result_maps_task_to_label_and_confidence() -> None:
    result = MajorityVote().fit(TASKS, WORKERS, LABELS).result()
    assert result == {
        "t1": ("cat", pytest.approx(2 / 3)),
        "t2": ("dog", pytest.approx(2 / 3)),
        "t3": ("dog", pytest.approx(2 / 3)),
    }


def test_unknown_method_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        aggregate(TASKS, WORKERS, LABELS, method="nope")


def test_multilabel_is_decided_per_category() -> None:
    tasks = ["t1"] * 3 + ["t2"] * 3
    workers = ["a", "b", "c"] * 2
    labels = [{"cat", "dog"}, {"cat"}, {"cat", "dog"}, set(), {"bird"}, set()]
    est = MultiLabelAggregator(MajorityVote).fit(tasks, workers, labels)
    result = est.result()
    assert result["t1"][0] == frozenset({"cat", "dog"})
    assert result["t2"][0] == frozenset()


def test_policy_stops_when_posterior_reaches_threshold() -> None:
    policy = AdaptiveOverlapPolicy(threshold=0.9, min_labels=2, max_labels=5)
    assert not policy.decide(["a"], [0.95], 2).done  # below min_labels
    decision = policy.decide(["a", "a"], [0.8, 0.8], 2)
    assert (
        decision.done and decision.label == "a" and decision.posterior == pytest.approx(0.64 / 0.68)
    )
    assert not policy.decide(["a", "b"], [0.8, 0.8], 2).done
    assert policy.decide(["a", "b", "a", "b", "a"], [0.6] * 5, 2).done  # max_labels


def test_adaptive_simulation_uses_fewer_labels_on_dog(crowd_data) -> None:
    tasks, workers, labels, truth = crowd_data["dog"]
    res = simulate_adaptive(
        tasks, workers, labels, truth, AdaptiveOverlapPolicy(threshold=0.95, max_labels=5)
    )
    assert res.adaptive_labels < res.fixed_labels
    assert res.adaptive_accuracy >= res.fixed_accuracy - 0.02
