"""Labelworks quality engine: pure numpy/scipy truth inference, consensus and agreement. No I/O.

Categorical truth inference (one estimator per module, all with the same shape)::

    est = DawidSkene(n_iter=100, tol=1e-5, seed=0)      # or MajorityVote, Wawa, ZeroBasedSkill,
    est.fit(tasks, workers, labels, gold={task: label})  # OneCoinDawidSkene, GLAD, MACE
    est.tasks_, est.labels_, est.probas_, est.classes_   # parallel arrays (rows = tasks_)
    est.skills_          # dict worker -> skill (higher is better)
    est.gold_accuracy_   # dict worker -> accuracy on gold tasks they answered
    est.result()         # dict task -> (label, confidence)
    aggregate(tasks, workers, labels, method="ds", gold=None)  # the same dict in one call

`tasks, workers, labels` are equal-length sequences of hashable ids (strings are fine). Gold tasks
stay fixed at their truth during EM and so inform worker skills. Multi-label answers:
`MultiLabelAggregator(DawidSkene).fit(tasks, workers, [set_of_labels, ...])`.

Geometry (Scale-shaped dicts: box / polygon / point)::

    box_iou(a, b), polygon_iou(a, b), point_distance(a, b)
    match_annotations(a_list, b_list, iou_threshold=0.5) -> [(i, j, iou)]
    fuse_annotations(per_worker, weights=None, iou_threshold=0.5, quorum=None) -> FusedResult
        # .annotations (fused, with "support"), .agreement (mean matched IoU), .f1 (pairwise)
    annotation_f1(pred, gold, iou_threshold=0.5)

Spans (`{"start", "end", "label"}`): `span_f1(pred, gold, mode="exact"|"overlap")`,
`fuse_spans(per_worker, weights=None, quorum=None)`, `span_agreement(per_worker, mode)`.

Preference: `bradley_terry(items, [(winner, loser), ...]) -> {item: score}`,
`rank_preferences(...) -> Ranking(scores, ranks, confidence)`,
`aggregate_preference(choices, weights=None) -> (winner, confidence)`.

Agreement: `krippendorff_alpha(tasks, labels, level="nominal"|"ordinal"|"interval")`,
`fleiss_kappa(tasks, labels)`, `cohen_kappa(a, b)`, `worker_agreement(tasks, workers, labels)`.

Adaptive overlap: `AdaptiveOverlapPolicy(threshold=0.9, min_labels=1, max_labels=5)
.decide(labels, worker_skills, n_classes) -> Decision(done, label, posterior)`;
`simulate_adaptive(tasks, workers, labels, truth, policy, fixed_overlap=5)`.
"""

import importlib
from typing import TYPE_CHECKING, Any

# Eager: the submodule `aggregate` would otherwise shadow the function of that name once loaded.
from labelworks.quality.aggregate import METHODS, aggregate, make_estimator

if TYPE_CHECKING:
    from labelworks.quality.adaptive import (
        AdaptiveOverlapPolicy,
        Decision,
        SimulationResult,
        label_posterior,
        simulate_adaptive,
    )
    from labelworks.quality.agreement import (
        cohen_kappa,
        fleiss_kappa,
        krippendorff_alpha,
        worker_agreement,
    )
    from labelworks.quality.base import BaseAggregator
    from labelworks.quality.dawid_skene import DawidSkene
    from labelworks.quality.encoding import Encoded, encode
    from labelworks.quality.geometry import (
        FusedResult,
        annotation_f1,
        box_iou,
        fuse_annotations,
        match_annotations,
        point_distance,
        polygon_iou,
    )
    from labelworks.quality.glad import GLAD
    from labelworks.quality.mace import MACE
    from labelworks.quality.majority_vote import MajorityVote
    from labelworks.quality.multilabel import MultiLabelAggregator
    from labelworks.quality.one_coin import OneCoinDawidSkene
    from labelworks.quality.preference import (
        Ranking,
        aggregate_preference,
        bradley_terry,
        rank_preferences,
    )
    from labelworks.quality.spans import fuse_spans, match_spans, span_agreement, span_f1
    from labelworks.quality.wawa import Wawa
    from labelworks.quality.zero_based_skill import ZeroBasedSkill

# Submodules load on first use: the `aggregate` CLI needs one estimator, not scipy.optimize,
# shapely and the rest, and a server process should not carry them until a request does.
_WHERE = {
    "AdaptiveOverlapPolicy": "labelworks.quality.adaptive",
    "Decision": "labelworks.quality.adaptive",
    "SimulationResult": "labelworks.quality.adaptive",
    "label_posterior": "labelworks.quality.adaptive",
    "simulate_adaptive": "labelworks.quality.adaptive",
    "cohen_kappa": "labelworks.quality.agreement",
    "fleiss_kappa": "labelworks.quality.agreement",
    "krippendorff_alpha": "labelworks.quality.agreement",
    "worker_agreement": "labelworks.quality.agreement",
    "BaseAggregator": "labelworks.quality.base",
    "DawidSkene": "labelworks.quality.dawid_skene",
    "Encoded": "labelworks.quality.encoding",
    "encode": "labelworks.quality.encoding",
    "FusedResult": "labelworks.quality.geometry",
    "annotation_f1": "labelworks.quality.geometry",
    "box_iou": "labelworks.quality.geometry",
    "fuse_annotations": "labelworks.quality.geometry",
    "match_annotations": "labelworks.quality.geometry",
    "point_distance": "labelworks.quality.geometry",
    "polygon_iou": "labelworks.quality.geometry",
    "GLAD": "labelworks.quality.glad",
    "MACE": "labelworks.quality.mace",
    "MajorityVote": "labelworks.quality.majority_vote",
    "MultiLabelAggregator": "labelworks.quality.multilabel",
    "OneCoinDawidSkene": "labelworks.quality.one_coin",
    "Ranking": "labelworks.quality.preference",
    "aggregate_preference": "labelworks.quality.preference",
    "bradley_terry": "labelworks.quality.preference",
    "rank_preferences": "labelworks.quality.preference",
    "fuse_spans": "labelworks.quality.spans",
    "match_spans": "labelworks.quality.spans",
    "span_agreement": "labelworks.quality.spans",
    "span_f1": "labelworks.quality.spans",
    "Wawa": "labelworks.quality.wawa",
    "ZeroBasedSkill": "labelworks.quality.zero_based_skill",
}


def __getattr__(name: str) -> Any:
    try:
        module = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "GLAD",
    "MACE",
    "METHODS",
    "AdaptiveOverlapPolicy",
    "BaseAggregator",
    "DawidSkene",
    "Decision",
    "Encoded",
    "FusedResult",
    "MajorityVote",
    "MultiLabelAggregator",
    "OneCoinDawidSkene",
    "Ranking",
    "SimulationResult",
    "Wawa",
    "ZeroBasedSkill",
    "aggregate",
    "aggregate_preference",
    "annotation_f1",
    "box_iou",
    "bradley_terry",
    "cohen_kappa",
    "encode",
    "fleiss_kappa",
    "fuse_annotations",
    "fuse_spans",
    "krippendorff_alpha",
    "label_posterior",
    "make_estimator",
    "match_annotations",
    "match_spans",
    "point_distance",
    "polygon_iou",
    "rank_preferences",
    "simulate_adaptive",
    "span_agreement",
    "span_f1",
    "worker_agreement",
]
