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


def label_posterior(
    labels: Sequence[Hashable], worker_skills: Sequence[float], n_classes: int
) -> tuple[Any, float]:
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

    def decide(
        self, labels: Sequence[Hashable], worker_skills: Sequence[float], n_classes: int
    ) -> Decision:
        """Decision from the labels so far and each labeller's skill (one-coin accuracy)."""
        label, post = label_posterior(labels, worker_skills, n_classes)
        return self._decision(len(labels), label, post)

    def decide_from_loglik(
        self, n_labels: int, classes: Sequence[Hashable], loglik: Sequence[float]
    ) -> Decision:
        """Decision from any model's per-class log-likelihood (e.g. Dawid-Skene confusion matrices)."""
        ll = np.asarray(loglik, dtype=np.float64)
        p = np.exp(ll - ll.max())
        p /= p.sum()
        best = int(p.argmax())
        return self._decision(n_labels, classes[best], float(p[best]))

    def _decision(self, n: int, label: Any, post: float) -> Decision:
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
    tasks: Sequence[Hashable],
    workers: Sequence[Hashable],
    labels: Sequence[Hashable],
    folds: int = 2,
    seed: int = 0,
    model: str = "onecoin",
) -> list[tuple[set[Any], Any]]:
    """`(tasks of the fold, skills)` per fold, skills of tasks, worker skills estimated (one-coin Dawid-Skene) on the *other* folds only,
    so a simulation never scores a task with skills learned from that task's own answers."""
    from labelworks.quality.dawid_skene import DawidSkene
    from labelworks.quality.one_coin import OneCoinDawidSkene

    uniq = sorted(set(tasks), key=str)
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(uniq, rng.permutation(len(uniq)) % folds, strict=True))
    out = []
    for f in range(folds):
        idx = [i for i, t in enumerate(tasks) if fold_of[t] != f]
        est = (DawidSkene() if model == "ds" else OneCoinDawidSkene()).fit(
            [tasks[i] for i in idx], [workers[i] for i in idx], [labels[i] for i in idx]
        )
        out.append(({t for t in uniq if fold_of[t] == f}, est if model == "ds" else est.skills_))
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
    model: str = "onecoin",
) -> SimulationResult:
    """Replay answers in arrival (row) order, asking for labels only while `policy` says so.

    Fixed overlap takes the first `fixed_overlap` answers of each task and picks the label with
    the same skill-weighted posterior, so the comparison isolates *when to stop*. Without
    `skills`, skills come from `cross_fitted_skills` (2 folds); unknown workers get the mean skill.
    `model="ds"` scores labels with cross-fitted Dawid-Skene confusion matrices and class priors
    instead of one accuracy per worker (better when workers are biased towards a class).
    """
    if model == "ds":
        return _simulate_ds(tasks, workers, labels, truth, policy, fixed_overlap)
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
    return SimulationResult(
        len(per_task), a_used, a_hit / max(scored, 1), f_used, f_hit / max(scored, 1)
    )


def _mean_skill(skills: Mapping[Any, Any]) -> float:
    vals = list(skills.values())
    return float(np.mean(vals)) if vals else 0.7


def _simulate_ds(
    tasks: Sequence[Hashable],
    workers: Sequence[Hashable],
    labels: Sequence[Hashable],
    truth: Mapping[Any, Any],
    policy: AdaptiveOverlapPolicy,
    fixed_overlap: int,
) -> SimulationResult:
    per_task: dict[Any, list[tuple[Any, Any]]] = {}
    for t, w, lab in zip(tasks, workers, labels, strict=True):
        per_task.setdefault(t, []).append((w, lab))
    a_used = f_used = a_hit = f_hit = scored = 0
    for fold_tasks, est in cross_fitted_skills(tasks, workers, labels, model="ds"):
        classes = est.classes_.tolist()
        cls = {c: i for i, c in enumerate(classes)}
        wk = {w: i for i, w in enumerate(est.encoded_.workers.tolist())}
        log_err = np.log(np.maximum(est.errors_, 1e-10))  # (worker, given, true)
        log_avg = np.log(
            np.maximum(est.errors_.mean(axis=0), 1e-10)
        )  # for workers unseen in the other fold
        log_prior = np.log(np.maximum(est.priors_, 1e-10))
        for t in fold_tasks:
            rows = [
                (log_err[wk[w], cls[lab]] if w in wk else log_avg[cls[lab]])
                for w, lab in per_task[t]
                if lab in cls
            ]
            cum = np.cumsum([log_prior, *rows], axis=0)  # cum[n] = log-likelihood after n labels
            n = 0
            decision = policy.decide_from_loglik(0, classes, cum[0])
            while n < len(rows):
                n += 1
                decision = policy.decide_from_loglik(n, classes, cum[n])
                if decision.done:
                    break
            m = min(fixed_overlap, len(rows))
            fixed = classes[int(np.argmax(cum[m]))]
            a_used += n
            f_used += m
            if t in truth:
                scored += 1
                a_hit += decision.label == truth[t]
                f_hit += fixed == truth[t]
    return SimulationResult(
        len(per_task), a_used, a_hit / max(scored, 1), f_used, f_hit / max(scored, 1)
    )
