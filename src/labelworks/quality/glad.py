"""GLAD: worker ability x task difficulty (Whitehill et al., 2009).

P(worker w is right on task t) = sigmoid(alpha_w * exp(beta_t)); wrong answers are spread evenly
over the other K-1 classes. EM: the E-step is two `bincount`s; the M-step maximises the expected
log-likelihood plus N(1, 1) priors on alpha and beta with conjugate gradients, as crowd-kit does,
but each function/gradient evaluation is a handful of vectorised passes over the answers.
The M-step runs at most 5 CG iterations (crowd-kit: 25): EM only needs the M-step to improve,
not to converge, and with 25 the loop crawls at 100k+ answers (>100 s vs ~2 s here) for the
same accuracy (same on duck and product, -0.1 pt on dog).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_expit

from labelworks.quality.base import BaseAggregator, clamp_gold, log_normalize
from labelworks.quality.encoding import Encoded, FloatArray

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


class GLAD(BaseAggregator):
    """`skills_` is each worker's ability alpha; `betas_` (per task) is log inverse difficulty."""

    def __init__(
        self,
        n_iter: int = 100,
        tol: float = 1e-5,
        seed: int = 0,
        m_step_max_iter: int = 5,
        m_step_tol: float = 1e-2,
        m_step_method: str = "CG",
    ) -> None:
        super().__init__(n_iter, tol, seed)
        self.m_step_max_iter = m_step_max_iter
        self.m_step_tol = m_step_tol
        self.m_step_method = m_step_method

    def _fit(self, enc: Encoded) -> tuple[FloatArray, FloatArray]:
        n_w, n_t, k = enc.n_workers, enc.n_tasks, enc.n_classes
        # Chance is spread over the classes actually used, as in crowd-kit.
        k_used = max(len(np.unique(enc.label)), 2)
        self._log_k1 = np.log(k_used - 1)
        x = np.ones(n_w + n_t)
        log_prior = np.full(k, -np.log(k))
        probas = self._e_step(enc, x, log_prior)
        q = -self._objective(x, enc, probas[enc.task, enc.label])[0]
        self.loss_history_: list[float] = []
        for _ in range(self.n_iter):
            last_q = q
            probas = self._e_step(enc, x, log_prior)
            p_obs = probas[enc.task, enc.label]
            res = minimize(
                self._objective,
                x,
                args=(enc, p_obs),
                jac=True,
                method=self.m_step_method,
                tol=self.m_step_tol,
                options={"maxiter": self.m_step_max_iter},
            )
            x = res.x
            # crowd-kit compares the first per-label Q with an unscaled one; we do the same scaling.
            q = -self._objective(x, enc, p_obs)[0] / (enc.n_answers * k)
            self.loss_history_.append(q)
            if q - last_q < self.tol:
                break
        self.alphas_ = x[:n_w]
        self.betas_ = x[n_w:]
        return probas, x[:n_w].copy()

    def _e_step(self, enc: Encoded, x: FloatArray, log_prior: FloatArray) -> FloatArray:
        k = enc.n_classes
        ab = x[enc.worker] * np.exp(x[enc.n_workers + enc.task])
        log_right = log_expit(ab)
        log_wrong = log_expit(-ab) - self._log_k1
        base = np.bincount(enc.task, weights=log_wrong, minlength=enc.n_tasks)
        bonus = np.bincount(
            enc.task * k + enc.label, weights=log_right - log_wrong, minlength=enc.n_tasks * k
        )
        loglik = bonus.reshape(enc.n_tasks, k) + base[:, None] + log_prior
        return clamp_gold(log_normalize(loglik), enc)

    def _objective(
        self, x: FloatArray, enc: Encoded, p_obs: FloatArray
    ) -> tuple[float, FloatArray]:
        """Negative expected complete log-likelihood (with priors) and its gradient."""
        n_w = enc.n_workers
        alpha = x[:n_w][enc.worker]
        e_beta = np.exp(x[n_w:])[enc.task]  # exp per task, then gathered: half the exps
        ab = alpha * e_beta
        # log sigmoid(-ab) = log sigmoid(ab) - ab, and sigmoid(ab) = exp(log sigmoid(ab)):
        # one transcendental pass over the answers instead of three.
        log_right = log_expit(ab)
        q = float(log_right.sum() - ((1 - p_obs) * (ab + self._log_k1)).sum())
        dev = x - 1.0
        q += float(-0.5 * (dev * dev).sum() - len(x) * _LOG_SQRT_2PI)
        resid = p_obs - np.exp(log_right)
        grad = np.empty_like(x)
        grad[:n_w] = np.bincount(enc.worker, weights=resid * e_beta, minlength=n_w)
        grad[n_w:] = np.bincount(enc.task, weights=resid * ab, minlength=enc.n_tasks)
        grad -= dev
        return -q, -grad
