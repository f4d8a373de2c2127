"""One-call aggregation by method name; what the workforce service and the CLI use."""

from __future__ import annotations

import importlib
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from labelworks.quality.base import BaseAggregator

# name -> (module, class). Imported on demand: the CLI fitting Dawid-Skene should not pay for
# scipy.optimize (GLAD) or the other estimators.
METHODS: dict[str, tuple[str, str]] = {
    "mv": ("majority_vote", "MajorityVote"),
    "wawa": ("wawa", "Wawa"),
    "zbs": ("zero_based_skill", "ZeroBasedSkill"),
    "ds": ("dawid_skene", "DawidSkene"),
    "onecoin": ("one_coin", "OneCoinDawidSkene"),
    "glad": ("glad", "GLAD"),
    "mace": ("mace", "MACE"),
}


def estimator_class(method: str) -> type[BaseAggregator]:
    """The estimator class for a short method name."""
    try:
        module, name = METHODS[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}") from None
    cls: type[BaseAggregator] = getattr(
        importlib.import_module(f"labelworks.quality.{module}"), name
    )
    return cls


def make_estimator(method: str, **kwargs: Any) -> BaseAggregator:
    """Estimator for a short method name (`mv`, `wawa`, `zbs`, `ds`, `onecoin`, `glad`, `mace`)."""
    return estimator_class(method)(**kwargs)


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
