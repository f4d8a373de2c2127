"""Geometry consensus for image annotation: IoU, Hungarian matching, and fusing several annotators.

Annotations are Scale-shaped dicts:
- box: `{"type": "box", "label", "left", "top", "width", "height"}` (optional `"confidence"`);
- polygon/line: `{"type": "polygon", "label", "vertices": [{"x", "y"}, ...]}`;
- point: `{"type": "point", "label", "x", "y"}`.
Points have no area, so their "IoU" is a similarity `max(0, 1 - distance / point_radius)`; lines
are compared as polylines thickened by a few pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

Annotation = dict[str, Any]
POINT_RADIUS = 10.0  # pixels at which two points stop counting as the same object


def box_iou(a: Annotation, b: Annotation) -> float:
    """Intersection over union of two boxes (0 when they do not overlap)."""
    ix = max(0.0, min(a["left"] + a["width"], b["left"] + b["width"]) - max(a["left"], b["left"]))
    iy = max(0.0, min(a["top"] + a["height"], b["top"] + b["height"]) - max(a["top"], b["top"]))
    inter = ix * iy
    union = a["width"] * a["height"] + b["width"] * b["height"] - inter
    return inter / union if union > 0 else 0.0


def _polygon(a: Annotation) -> Any:
    from shapely.geometry import Polygon

    poly = Polygon([(v["x"], v["y"]) for v in a["vertices"]])
    return poly if poly.is_valid else poly.buffer(0)  # self-intersections: repair, don't crash


def polygon_iou(a: Annotation, b: Annotation) -> float:
    """Intersection over union of two polygons (shapely; invalid rings are repaired first)."""
    pa, pb = _polygon(a), _polygon(b)
    union = pa.union(pb).area
    return float(pa.intersection(pb).area / union) if union > 0 else 0.0


def line_iou(a: Annotation, b: Annotation, radius: float = 5.0) -> float:
    """IoU of two polylines thickened by `radius` pixels (a line has no area of its own)."""
    from shapely.geometry import LineString

    la = LineString([(v["x"], v["y"]) for v in a["vertices"]]).buffer(radius)
    lb = LineString([(v["x"], v["y"]) for v in b["vertices"]]).buffer(radius)
    union = la.union(lb).area
    return float(la.intersection(lb).area / union) if union > 0 else 0.0


def point_distance(a: Annotation, b: Annotation) -> float:
    """Euclidean distance between two points."""
    return math.hypot(a["x"] - b["x"], a["y"] - b["y"])


def similarity(a: Annotation, b: Annotation, point_radius: float = POINT_RADIUS) -> float:
    """IoU for boxes/polygons, distance-based similarity for points, 0 across shape types."""
    kind = a.get("type", "box")
    if kind != b.get("type", "box"):
        return 0.0
    if kind == "box":
        return box_iou(a, b)
    if kind == "point":
        return max(0.0, 1.0 - point_distance(a, b) / point_radius)
    if kind == "line":
        return line_iou(a, b)
    return polygon_iou(a, b)


def match_annotations(
    a_list: Sequence[Annotation],
    b_list: Sequence[Annotation],
    iou_threshold: float = 0.5,
    point_radius: float = POINT_RADIUS,
) -> list[tuple[int, int, float]]:
    """One-to-one matches `(i, j, iou)` maximising total IoU (Hungarian), keeping IoU >= threshold."""
    if not a_list or not b_list:
        return []
    sim = np.array([[similarity(a, b, point_radius) for b in b_list] for a in a_list])
    rows, cols = linear_sum_assignment(sim, maximize=True)
    return [
        (int(i), int(j), float(sim[i, j]))
        for i, j in zip(rows, cols, strict=True)
        if sim[i, j] >= iou_threshold and sim[i, j] > 0
    ]


def annotation_f1(
    pred: Sequence[Annotation],
    gold: Sequence[Annotation],
    iou_threshold: float = 0.5,
    match_label: bool = True,
) -> float:
    """F1 of one annotator against a gold answer: matched objects (same label if `match_label`)."""
    if not pred and not gold:
        return 1.0
    matches = match_annotations(pred, gold, iou_threshold)
    tp = sum(
        1 for i, j, _ in matches if not match_label or pred[i].get("label") == gold[j].get("label")
    )
    return 2 * tp / (len(pred) + len(gold))


@dataclass
class FusedResult:
    """Fused objects (each with `support`: how many annotators drew it), mean matched IoU, mean pairwise F1."""

    annotations: list[Annotation]
    agreement: float
    f1: float
    clusters: list[list[tuple[int, int]]] = field(
        default_factory=list
    )  # (worker, index) per kept object


def fuse_annotations(
    per_worker: Sequence[Sequence[Annotation]],
    weights: Sequence[float] | None = None,
    iou_threshold: float = 0.5,
    quorum: int | None = None,
    point_radius: float = POINT_RADIUS,
) -> FusedResult:
    """Consensus of several annotators' objects on one image.

    Each annotator's objects are matched (Hungarian, IoU >= threshold) against the clusters built
    so far; unmatched objects open new clusters. Clusters drawn by at least `quorum` annotators
    (default: a strict majority) are kept: boxes and points get weight x confidence averaged
    coordinates, polygons the member with the highest weighted IoU to the others, and the label
    is the weighted vote.
    """
    n = len(per_worker)
    w = [1.0] * n if weights is None else [float(x) for x in weights]
    quorum = n // 2 + 1 if quorum is None else quorum
    clusters: list[list[tuple[int, int]]] = []
    reps: list[Annotation] = []
    for wi, objs in enumerate(per_worker):
        matches = match_annotations(list(objs), reps, iou_threshold, point_radius)
        matched = set()
        for i, c, _ in matches:
            clusters[c].append((wi, i))
            matched.add(i)
            reps[c] = _fuse_cluster(per_worker, clusters[c], w, point_radius)
        for i, obj in enumerate(objs):
            if i not in matched:
                clusters.append([(wi, i)])
                reps.append(dict(obj))
    kept = [
        (c, r) for c, r in zip(clusters, reps, strict=True) if len({wi for wi, _ in c}) >= quorum
    ]
    fused = [{**r, "support": len(c)} for c, r in kept]
    agreement, f1 = _pairwise_agreement(per_worker, iou_threshold, point_radius)
    return FusedResult(fused, agreement, f1, [c for c, _ in kept])


def _fuse_cluster(
    per_worker: Sequence[Sequence[Annotation]],
    members: list[tuple[int, int]],
    w: list[float],
    point_radius: float,
) -> Annotation:
    objs = [per_worker[wi][i] for wi, i in members]
    ws = np.array([w[wi] * float(per_worker[wi][i].get("confidence", 1.0)) for wi, i in members])
    if ws.sum() <= 0:
        ws = np.ones(len(objs))
    votes: dict[Any, float] = {}
    for o, x in zip(objs, ws, strict=True):
        votes[o.get("label")] = votes.get(o.get("label"), 0.0) + x
    label = max(votes, key=lambda k: votes[k])
    kind = objs[0].get("type", "box")
    if kind == "box":
        out: Annotation = {"type": "box", "label": label}
        for key in ("left", "top", "width", "height"):
            out[key] = float(np.dot(ws, [o[key] for o in objs]) / ws.sum())
        return out
    if kind == "point":
        return {
            "type": "point",
            "label": label,
            "x": float(np.dot(ws, [o["x"] for o in objs]) / ws.sum()),
            "y": float(np.dot(ws, [o["y"] for o in objs]) / ws.sum()),
        }
    # Polygons have no vertex correspondence to average: take the weighted medoid.
    sim = np.array([[similarity(a, b, point_radius) for b in objs] for a in objs])
    best = int(np.argmax(sim @ ws))
    return {**objs[best], "label": label}


def _pairwise_agreement(
    per_worker: Sequence[Sequence[Annotation]], iou_threshold: float, point_radius: float
) -> tuple[float, float]:
    """Mean IoU over all matched pairs and mean F1 over all annotator pairs."""
    ious: list[float] = []
    f1s: list[float] = []
    for a in range(len(per_worker)):
        for b in range(a + 1, len(per_worker)):
            m = match_annotations(per_worker[a], per_worker[b], iou_threshold, point_radius)
            ious.extend(x for _, _, x in m)
            total = len(per_worker[a]) + len(per_worker[b])
            f1s.append(2 * len(m) / total if total else 1.0)
    return (float(np.mean(ious)) if ious else 0.0, float(np.mean(f1s)) if f1s else 1.0)
