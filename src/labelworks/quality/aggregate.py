"""One-call aggregation by method name; what the workforce service and the CLI use."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from labelworks.quality.base import BaseAggregator
from labelworks.quality.dawid_skene import DawidSkene
from labelworks.quality.glad import GLAD
from labelworks.quality.mace import MACE
from labelworks.quality.majority_vote import MajorityVote
from labelworks.quality.one_coin import OneCoinDawidSkene
from labelworks.quality.wawa import Wawa
from labelworks.quality.zero_based_skill import ZeroBasedSkill

METHODS: dict[str, type[BaseAggregator]] = {
    "mv": MajorityVote,
    "wawa": Wawa,
    "zbs": ZeroBasedSkill,
    "ds": DawidSkene,
    "onecoin": OneCoinDawidSkene,
    "glad": GLAD,
    "mace": MACE,
}


def make_estimator(method: str, **kwargs: Any) -> BaseAggregator:
    """Estimator for a short method name (`mv`, `wawa`, `zbs`, `ds`, `onecoin`, `glad`, `mace`)."""
    try:
        cls = METHODS[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}") from None
    return cls(**kwargs)


def aggregate(
    tasks: Sequence[Hashable],
    workers: Sequence[Hashable],
    labels: Sequence[Hashable],
    method: str = "ds",
    gold: Mapping[Any, Any] | None = None,
    **kwargs: Any,
) -> dict[Any, tuple[Any, float]]:
    """`dict task -> (label, confidence)` by the named method, gold tasks clamped to their truth."""
    return make_estimator(method, **kwargs).fit(tasks, workers, labels, gold).result()
