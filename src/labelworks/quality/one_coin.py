"""One-coin Dawid-Skene: one accuracy per worker, errors spread evenly over the other classes."""

from __future__ import annotations

import numpy as np

from labelworks.quality.base import _EPS, BaseAggregator, clamp_gold, log_normalize, vote_probas
from labelworks.quality.encoding import Encoded, FloatArray


class OneCoinDawidSkene(BaseAggregator):
    """EM where worker w is right with probability `skills_[w]` whatever the true class."""

    def _fit(self, enc: Encoded) -> tuple[FloatArray, FloatArray]:
        k = enc.n_classes
        probas = vote_probas(enc)
        priors = probas.mean(axis=0)
        skills = self._m_step(enc, probas)
        loss = -np.inf
        self.loss_history_: list[float] = []
        n_per_task = np.bincount(enc.task, minlength=enc.n_tasks).astype(np.float64)
        for _ in range(self.n_iter):
            log_right, log_wrong = self._log_rates(skills, k)
            loglik = self._loglik(enc, log_right, log_wrong, priors)
            probas = clamp_gold(log_normalize(loglik), enc)
            priors = probas.mean(axis=0)
            skills = self._m_step(enc, probas)
            log_right, log_wrong = self._log_rates(skills, k)
            new_loss = (
                self._elbo(enc, probas, priors, log_right, log_wrong, n_per_task) / enc.n_answers
            )
            self.loss_history_.append(new_loss)
            if new_loss - loss < self.tol:
                break
            loss = new_loss
        self.priors_ = priors
        return probas, skills

    @staticmethod
    def _m_step(enc: Encoded, probas: FloatArray) -> FloatArray:
        hit = probas[enc.task, enc.label]
        n = np.bincount(enc.worker, minlength=enc.n_workers)
        return np.bincount(enc.worker, weights=hit, minlength=enc.n_workers) / np.maximum(n, 1)

    @staticmethod
    def _log_rates(skills: FloatArray, k: int) -> tuple[FloatArray, FloatArray]:
        right = np.clip(skills, _EPS, 1 - _EPS)
        wrong = np.clip((1 - skills) / max(k - 1, 1), _EPS, 1 - _EPS)
        return np.log(right), np.log(wrong)

    @staticmethod
    def _loglik(
        enc: Encoded, log_right: FloatArray, log_wrong: FloatArray, priors: FloatArray
    ) -> FloatArray:
        # Every answer contributes log_wrong to all classes, plus (log_right - log_wrong) to its own.
        k = enc.n_classes
        base = np.bincount(enc.task, weights=log_wrong[enc.worker], minlength=enc.n_tasks)
        bonus = np.bincount(
            enc.task * k + enc.label,
            weights=(log_right - log_wrong)[enc.worker],
            minlength=enc.n_tasks * k,
        ).reshape(enc.n_tasks, k)
        # bincount with weights is float64; its stub says intp.
        return np.asarray(bonus + base[:, None] + np.log(np.maximum(priors, _EPS)), np.float64)

    @staticmethod
    def _elbo(
        enc: Encoded,
        probas: FloatArray,
        priors: FloatArray,
        log_right: FloatArray,
        log_wrong: FloatArray,
        n_per_task: FloatArray,
    ) -> float:
        hit = probas[enc.task, enc.label]
        w = enc.worker
        joint = float((hit * log_right[w] + (1 - hit) * log_wrong[w]).sum())
        joint += float((n_per_task @ probas) @ np.log(np.maximum(priors, _EPS)))
        p = np.maximum(probas, _EPS)
        return joint - float((p * np.log(p)).sum())
