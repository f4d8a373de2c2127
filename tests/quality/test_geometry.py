"""Geometry consensus: IoU, matching, fusion with quorum."""

from __future__ import annotations

import pytest
from shapely.geometry import Polygon

from labelworks.quality import (
    annotation_f1,
    box_iou,
    fuse_annotations,
    match_annotations,
    polygon_iou,
)
from labelworks.quality.geometry import point_distance


def box(left: float, top: float, width: float, height: float, label: str = "car", **extra) -> dict:
    return {
        "type": "box",
        "label": label,
        "left": left,
        "top": top,
        "width": width,
        "height": height,
        **extra,
    }


def poly(points: list[tuple[float, float]], label: str = "lake") -> dict:
    return {"type": "polygon", "label": label, "vertices": [{"x": x, "y": y} for x, y in points]}


def test_identical_boxes_have_iou_one() -> None:
    assert box_iou(box(10, 10, 50, 40), box(10, 10, 50, 40)) == 1.0


def test_disjoint_boxes_have_iou_zero() -> None:
    assert box_iou(box(0, 0, 10, 10), box(20, 20, 10, 10)) == 0.0


def test_half_overlapping_boxes_have_iou_one_third() -> None:
    assert box_iou(box(0, 0, 10, 10), box(5, 0, 10, 10)) == pytest.approx(50 / 150)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([(0, 0), (4, 0), (4, 4), (0, 4)], [(2, 2), (6, 2), (6, 6), (2, 6)]),
        ([(0, 0), (10, 0), (5, 8)], [(0, 4), (10, 4), (5, -4)]),
        (
            [(0, 0), (3, 0), (3, 1), (1, 1), (1, 3), (0, 3)],
            [(0.5, 0.5), (2.5, 0.5), (2.5, 2.5), (0.5, 2.5)],
        ),
    ],
)
def test_polygon_iou_matches_shapely(a, b) -> None:
    pa, pb = Polygon(a), Polygon(b)
    expected = pa.intersection(pb).area / pa.union(pb).area
    assert polygon_iou(poly(a), poly(b)) == pytest.approx(expected, abs=1e-12)


def test_point_distance_is_euclidean() -> None:
    assert (
        point_distance({"type": "point", "x": 0, "y": 0}, {"type": "point", "x": 3, "y": 4}) == 5.0
    )


def test_matching_with_unequal_counts_pairs_best_overlaps_only() -> None:
    a = [box(0, 0, 10, 10), box(100, 100, 10, 10), box(50, 50, 10, 10)]
    b = [box(101, 101, 10, 10), box(1, 0, 10, 10)]
    matches = sorted(match_annotations(a, b, iou_threshold=0.5))
    assert [(i, j) for i, j, _ in matches] == [(0, 1), (1, 0)]


def test_matching_drops_pairs_below_threshold() -> None:
    assert match_annotations([box(0, 0, 10, 10)], [box(7, 0, 10, 10)], iou_threshold=0.5) == []


def test_three_annotators_with_one_outlier_drop_the_outlier() -> None:
    per_worker = [
        [box(10, 10, 100, 50)],
        [box(12, 10, 100, 52)],
        [box(300, 300, 40, 40, label="truck")],
    ]
    result = fuse_annotations(per_worker, iou_threshold=0.5)
    assert len(result.annotations) == 1
    fused = result.annotations[0]
    assert fused["label"] == "car" and fused["support"] == 2
    assert fused["left"] == pytest.approx(11) and fused["height"] == pytest.approx(51)


def test_fused_coordinates_are_weighted_by_worker_weight_and_confidence() -> None:
    per_worker = [[box(0, 0, 10, 10, confidence=1.0)], [box(2, 0, 10, 10, confidence=0.5)]]
    fused = fuse_annotations(per_worker, weights=[1.0, 2.0], quorum=2).annotations[0]
    assert fused["left"] == pytest.approx(1.0)  # weights 1*1 and 2*0.5


def test_fused_label_is_the_weighted_vote() -> None:
    per_worker = [
        [box(0, 0, 10, 10, "car")],
        [box(0, 0, 10, 10, "truck")],
        [box(0, 0, 10, 10, "truck")],
    ]
    assert fuse_annotations(per_worker, weights=[3.0, 1.0, 1.0]).annotations[0]["label"] == "car"


def test_agreement_is_mean_matched_iou_and_pairwise_f1() -> None:
    per_worker = [[box(0, 0, 10, 10), box(50, 50, 10, 10)], [box(0, 0, 10, 10)]]
    result = fuse_annotations(per_worker, quorum=1)
    assert result.agreement == 1.0
    assert result.f1 == pytest.approx(2 * 1 / 3)
    assert len(result.annotations) == 2


def test_polygons_fuse_to_the_medoid() -> None:
    square = [(0, 0), (10, 0), (10, 10), (0, 10)]
    near = [(1, 0), (10, 0), (10, 10), (1, 10)]
    far = [(0, 0), (8, 0), (8, 10), (0, 10)]
    result = fuse_annotations([[poly(square)], [poly(near)], [poly(far)]])
    assert result.annotations[0]["vertices"] == poly(square)["vertices"]


def test_points_match_within_radius() -> None:
    p = [
        [{"type": "point", "label": "eye", "x": 0, "y": 0}],
        [{"type": "point", "label": "eye", "x": 2, "y": 0}],
    ]
    fused = fuse_annotations(p).annotations
    assert len(fused) == 1 and fused[0]["x"] == pytest.approx(1.0)


def test_annotation_f1_against_gold_requires_same_label() -> None:
    gold = [box(0, 0, 10, 10, "car"), box(50, 50, 10, 10, "car")]
    pred = [box(0, 0, 10, 10, "car"), box(50, 50, 10, 10, "truck")]
    assert annotation_f1(pred, gold) == pytest.approx(0.5)
    assert annotation_f1([], []) == 1.0
