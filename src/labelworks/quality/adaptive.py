"""Adaptive overlap: ask for another label only while a task's answer is still uncertain.

The posterior is the one-coin model: a worker with skill s gives the true class with probability s
and each other class with (1 - s) / (K - 1), under a uniform prior over the K classes.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

SKILL_FLOOR, SKILL_CEIL = 1e-3, 0.99  # no single worker is ever treated as infallible


@dataclass(frozen=True)
class Decision:
    """`done`: stop collecting; `label`: current best answer; `posterior`: its probability."""

    done: bool
    label: Any
    posterior: float


def label_posterior(labels: Sequence[Hashable], worker_skills: Sequence[float], n_classes: int) -> tuple[Any, float]:
    """Most probable label among those given and its posterior over `n_classes` classes."""
    if not labels:
        return None, 1.0 / max(n_classes, 1)
    k = max(n_classes, len(set(labels)), 2)
    s = np.clip(np.asarray(worker_skills, dtype=np.float64), SKILL_FLOOR, SKILL_CEIL)
    log_wrong = np.log((1 - s) / (k - 1))
    log_bonus = np.log(s) - log_wrong
    base = float(log_wrong.sum())
    scores: dict[Any, float] = {}
    for lab, b in zip(labels, log_bonus, strict=True):
        scores[lab] = scores.get(lab, base) + float(b)
    unseen = k - len(scores)  # classes nobody picked share the base likelihood
    top = max(max(scores.values()), base)
    z = sum(math.exp(v - top) for v in scores.values()) + unseen * math.exp(base - top)
    best = max(scores, key=lambda lab: scores[lab])  # first seen wins ties
    return best, math.exp(scores[best] - top) / z


@dataclass(frozen=True)
class AdaptiveOverlapPolicy:
    """Stop once the best label's posterior reaches `threshold` (after `min_labels`), or at `max_labels`."""

    threshold: float = 0.9
    min_labels: int = 1
    max_labels: int = 5

    def decide(self, labels: Sequence[Hashable], worker_skills: Sequence[float], n_classes: int) -> Decision:
        label, post = label_posterior(labels, worker_skills, n_classes)
        n = len(labels)
        done = n >= self.max_labels or (n >= self.min_labels and post >= self.threshold)
        return Decision(done, label, post)


@dataclass(frozen=True)
class SimulationResult:
    """Labels used and accuracy (on tasks with truth) for the adaptive policy and fixed overlap."""

    n_tasks: int
    adaptive_labels: int
    adaptive_accuracy: float
    fixed_labels: int
    fixed_accuracy: float

    @property
    def savings(self) -> float:
        """Fraction of labels the adaptive policy saved relative to fixed overlap."""
        return 1 - self.adaptive_labels / self.fixed_labels if self.fixed_labels else 0.0


def cross_fitted_skills(
    tasks: Sequence[Hashable], workers: Sequence[Hashable], labels: Sequence[Hashable], folds: int = 2, seed: int = 0
) -> list[tuple[set[Any], dict[Any, float]]]:
    """`(tasks of the fold, skills)` per fold, skills of tasks, worker skills estimated (one-coin Dawid-Skene) on the *other* folds only,
    so a simulation never scores a task with skills learned from that task's own answers."""
    from labelworks.quality.one_coin import OneCoinDawidSkene

    uniq = sorted(set(tasks), key=str)
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(uniq, rng.permutation(len(uniq)) % folds, strict=True))
    out = []
    for f in range(folds):
        idx = [i for i, t in enumerate(tasks) if fold_of[t] != f]
        est = OneCoinDawidSkene().fit([tasks[i] for i in idx], [workers[i] for i in idx], [labels[i] for i in idx])
        out.append(({t for t in uniq if fold_of[t] == f}, est.skills_))
    return out


def simulate_adaptive(
    tasks: Sequence[Hashable],
    workers: Sequence[Hashable],
    labels: Sequence[Hashable],
    truth: Mapping[Any, Any],
    policy: AdaptiveOverlapPolicy,
    fixed_overlap: int = 5,
    skills: Mapping[Any, float] | None = None,
    default_skill: float | None = None,
) -> SimulationResult:
    """Replay answers in arrival (row) order, asking for labels only while `policy` says so.

    Fixed overlap takes the first `fixed_overlap` answers of each task and picks the label with
    the same skill-weighted posterior, so the comparison isolates *when to stop*. Without
    `skills`, skills come from `cross_fitted_skills` (2 folds); unknown workers get the mean skill.
    """
    per_task: dict[Any, list[tuple[Any, Any]]] = {}
    for t, w, lab in zip(tasks, workers, labels, strict=True):
        per_task.setdefault(t, []).append((w, lab))
    n_classes = len(set(labels))
    if skills is None:
        fold_skills = cross_fitted_skills(tasks, workers, labels)
        skill_of = {t: sk for fold_tasks, sk in fold_skills for t in fold_tasks}
    else:
        skill_of = {t: skills for t in per_task}
    a_used = f_used = a_hit = f_hit = scored = 0
    for t, answers in per_task.items():
        sk = skill_of[t]
        default = default_skill if default_skill is not None else _mean_skill(sk)
        s = [float(sk.get(w, default)) for w, _ in answers]
        labs = [lab for _, lab in answers]
        n = 0
        decision = policy.decide([], [], n_classes)
        while n < len(labs):
            n += 1
            decision = policy.decide(labs[:n], s[:n], n_classes)
            if decision.done:
                break
        m = min(fixed_overlap, len(labs))
        fixed_label, _ = label_posterior(labs[:m], s[:m], n_classes)
        a_used += n
        f_used += m
        if t in truth:
            scored += 1
            a_hit += decision.label == truth[t]
            f_hit += fixed_label == truth[t]
    return SimulationResult(len(per_task), a_used, a_hit / max(scored, 1), f_used, f_hit / max(scored, 1))


def _mean_skill(skills: Mapping[Any, Any]) -> float:
    vals = list(skills.values())
    return float(np.mean(vals)) if vals else 0.7
