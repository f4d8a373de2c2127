"""Wawa (worker agreement with aggregate): a vote weighted by agreement with a first plain vote."""

from __future__ import annotations

from labelworks.quality.base import BaseAggregator, vote_probas, worker_accuracy
from labelworks.quality.encoding import Encoded, FloatArray


class Wawa(BaseAggregator):
    """Two passes: Majority Vote, then a vote weighted by each worker's agreement with it."""

    def _fit(self, enc: Encoded) -> tuple[FloatArray, FloatArray]:
        skills = worker_accuracy(enc, vote_probas(enc).argmax(axis=1))
        return vote_probas(enc, skills[enc.worker]), skills
