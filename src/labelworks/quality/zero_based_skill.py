"""Zero-Based Skill: weighted voting where skills move towards agreement with the current result."""

from __future__ import annotations

import numpy as np

from labelworks.quality.base import BaseAggregator, vote_probas, worker_accuracy
from labelworks.quality.encoding import Encoded, FloatArray


class ZeroBasedSkill(BaseAggregator):
    """Skills start at chance (1/K) and follow agreement with a decaying learning rate."""

    def __init__(
        self,
        n_iter: int = 100,
        tol: float = 1e-5,
        seed: int = 0,
        lr_init: float = 1.0,
        lr_steps_to_reduce: int = 20,
        lr_reduce_factor: float = 0.5,
        eps: float = 1e-5,
    ) -> None:
        super().__init__(n_iter, tol, seed)
        self.lr_init = lr_init
        self.lr_steps_to_reduce = lr_steps_to_reduce
        self.lr_reduce_factor = lr_reduce_factor
        self.eps = eps

    def _fit(self, enc: Encoded) -> tuple[FloatArray, FloatArray]:
        # Chance level (observed classes only) plus eps so the first vote is not all ties.
        n_used = len(np.unique(enc.label))
        skills = np.full(enc.n_workers, 1.0 / n_used + self.eps)
        lr = self.lr_init
        for iteration in range(1, self.n_iter + 1):
            if iteration % self.lr_steps_to_reduce == 0:
                lr *= self.lr_reduce_factor
            codes = vote_probas(enc, skills[enc.worker]).argmax(axis=1)
            new_skills = skills + lr * (worker_accuracy(enc, codes) - skills)
            # Once the vote stops changing the update is a no-op; later steps would repeat it.
            done = np.abs(new_skills - skills).max() < 1e-12
            skills = new_skills
            if done:
                break
        return vote_probas(enc, skills[enc.worker]), skills
