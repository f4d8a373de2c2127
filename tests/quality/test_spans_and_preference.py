"""Span consensus for NER and preference aggregation."""

from __future__ import annotations

import pytest

from labelworks.quality import (
    aggregate_preference,
    bradley_terry,
    fuse_spans,
    rank_preferences,
    span_agreement,
    span_f1,
)


def span(start: int, end: int, label: str = "PER") -> dict:
    return {"start": start, "end": end, "label": label}


def test_exact_span_f1_requires_same_boundaries_and_label() -> None:
    gold = [span(0, 5), span(10, 15, "ORG")]
    assert span_f1([span(0, 5), span(10, 15, "ORG")], gold) == 1.0
    assert span_f1([span(0, 4), span(10, 15, "LOC")], gold) == 0.0


def test_overlap_span_f1_accepts_shifted_boundaries_one_to_one() -> None:
    gold = [span(0, 5), span(6, 10)]
    assert span_f1([span(1, 6)], gold, mode="overlap") == pytest.approx(2 / 3)
    assert span_f1([span(0, 10)], gold, mode="overlap") == pytest.approx(2 / 3)


def test_fuse_spans_keeps_majority_spans() -> None:
    per_worker = [[span(0, 5), span(10, 12)], [span(0, 5)], [span(0, 5), span(20, 25, "LOC")]]
    fused = fuse_spans(per_worker)
    assert [(s["start"], s["end"], s["label"]) for s in fused] == [(0, 5, "PER")]
    assert fused[0]["score"] == 1.0


def test_fuse_spans_skill_weighting_lets_a_strong_worker_win() -> None:
    per_worker = [[span(0, 5)], [span(0, 6)], [span(0, 6)]]
    fused = fuse_spans(per_worker, weights=[0.9, 0.3, 0.3])
    assert [(s["start"], s["end"]) for s in fused] == [(0, 5)]


def test_fuse_spans_resolves_overlaps_strongest_first() -> None:
    per_worker = [[span(0, 5)], [span(0, 5)], [span(3, 8)]]
    fused = fuse_spans(per_worker, quorum=1)
    assert [(s["start"], s["end"]) for s in fused] == [(0, 5)]


def test_span_agreement_is_mean_pairwise_f1() -> None:
    assert span_agreement([[span(0, 5)], [span(0, 5)], []]) == pytest.approx(1 / 3)


def test_bradley_terry_orders_items_by_wins() -> None:
    comparisons = (
        [("a", "b")] * 8
        + [("b", "a")] * 2
        + [("b", "c")] * 7
        + [("c", "b")] * 3
        + [("a", "c")] * 9
        + [("c", "a")]
    )
    ranking = rank_preferences(["a", "b", "c"], comparisons)
    assert ranking.ranks == {"a": 1, "b": 2, "c": 3}
    assert ranking.scores["a"] > ranking.scores["b"] > ranking.scores["c"]
    assert 0.5 < ranking.confidence["a"] < 1.0


def test_bradley_terry_without_regularisation_matches_closed_form_for_two_items() -> None:
    scores = bradley_terry(["a", "b"], [("a", "b")] * 3 + [("b", "a")], prior=0.0)
    import math

    assert scores["a"] - scores["b"] == pytest.approx(math.log(3), abs=1e-6)


def test_item_that_never_wins_gets_finite_score() -> None:
    scores = bradley_terry(["a", "b"], [("a", "b")] * 5)
    assert all(abs(v) < 10 for v in scores.values()) and scores["a"] > scores["b"]


def test_single_pair_majority_with_weights() -> None:
    assert aggregate_preference(["A", "B", "B"]) == ("B", pytest.approx(2 / 3))
    assert aggregate_preference(["A", "B", "B"], weights=[0.9, 0.2, 0.2])[0] == "A"
