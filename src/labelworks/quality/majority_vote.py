"""Majority Vote: each task's label is the most common answer (ties go to the lowest class)."""

from __future__ import annotations

from labelworks.quality.base import BaseAggregator, vote_probas, worker_accuracy
from labelworks.quality.encoding import Encoded, FloatArray


class MajorityVote(BaseAggregator):
    """Plain vote counting. `skills_` is each worker's agreement with the result."""

    def _fit(self, enc: Encoded) -> tuple[FloatArray, FloatArray]:
        probas = vote_probas(enc)
        return probas, worker_accuracy(enc, probas.argmax(axis=1))
