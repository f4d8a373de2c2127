"""Dawid-Skene: EM over a full confusion matrix per worker (Dawid & Skene, 1979).

The answers become a sparse `tasks x (worker, label)` indicator matrix once; each EM step is then
two sparse-dense products, which is what keeps 5M answers in seconds.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from labelworks.quality.base import _EPS, BaseAggregator, clamp_gold, log_normalize, vote_probas
from labelworks.quality.encoding import Encoded, FloatArray


def answer_matrix(enc: Encoded) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """`A[t, w*K + l]` = number of times worker w answered l on task t, and its transpose (CSR)."""
    k = enc.n_classes
    cols = enc.worker * k + enc.label
    data = np.ones(enc.n_answers, dtype=np.float64)
    a = sp.csr_matrix((data, (enc.task, cols)), shape=(enc.n_tasks, enc.n_workers * k))
    a.sum_duplicates()
    return a, a.T.tocsr()


class DawidSkene(BaseAggregator):
    """Full confusion-matrix EM. `skills_` is each worker's expected accuracy under the posteriors.

    `errors_` is `(n_workers, K_given, K_true)`: P(worker answers l | true class c).
    """

    def _fit(self, enc: Encoded) -> tuple[FloatArray, FloatArray]:
        k, n_w = enc.n_classes, enc.n_workers
        a, a_t = answer_matrix(enc)
        probas = vote_probas(enc)
        priors = probas.mean(axis=0)
        counts, log_err = self._m_step(a_t, probas, n_w, k)
        per_task = np.asarray(a.sum(axis=1)).ravel()
        loss = -np.inf
        self.loss_history_: list[float] = []
        for _ in range(self.n_iter):
            loglik = a @ log_err + np.log(np.maximum(priors, _EPS))
            probas = clamp_gold(log_normalize(loglik), enc)
            priors = probas.mean(axis=0)
            counts, log_err = self._m_step(a_t, probas, n_w, k)
            new_loss = self._elbo(counts, log_err, probas, priors, per_task) / enc.n_answers
            self.loss_history_.append(new_loss)
            if new_loss - loss < self.tol:
                break
            loss = new_loss
        self.priors_ = priors
        self.errors_ = np.exp(log_err).reshape(n_w, k, k)
        diag = counts.reshape(n_w, k, k)[:, np.arange(k), np.arange(k)].sum(axis=1)
        skills = diag / np.maximum(counts.reshape(n_w, -1).sum(axis=1), _EPS)
        return probas, skills

    @staticmethod
    def _m_step(
        a_t: sp.csr_matrix, probas: FloatArray, n_w: int, k: int
    ) -> tuple[FloatArray, FloatArray]:
        """Expected (worker, given, true) counts and the log confusion matrices they imply."""
        counts = np.asarray(a_t @ probas)  # (n_w*K_given, K_true)
        err = np.maximum(counts, _EPS).reshape(n_w, k, k)
        err /= err.sum(axis=1, keepdims=True)  # each true-class column sums to 1
        return counts, np.log(err.reshape(n_w * k, k))

    @staticmethod
    def _elbo(
        counts: FloatArray,
        log_err: FloatArray,
        probas: FloatArray,
        priors: FloatArray,
        per_task: FloatArray,
    ) -> float:
        """Evidence lower bound, computed as crowd-kit does so both stop at the same point."""
        log_prior = np.log(np.maximum(priors, _EPS))
        joint = float((counts * log_err).sum() + (per_task @ probas) @ log_prior)
        p = np.maximum(probas, _EPS)
        return joint - float((p * np.log(p)).sum())
