"""Fair share between customers: stride scheduling over orgs with work, by weight.

Each server process keeps its own passes (no shared hot row to contend on); with several
processes each one spreads its own annotators by the same weights, so the whole does too.
"""

from __future__ import annotations

import threading


class FairShare:
    def __init__(self) -> None:
        self._passes: dict[int, float] = {}
        self._lock = threading.Lock()

    def order(self, weights: dict[int, float]) -> list[int]:
        """Orgs to try, least served (relative to weight) first."""
        with self._lock:
            floor = min((self._passes[o] for o in weights if o in self._passes), default=0.0)
            for org in weights:
                # A newcomer starts level with the least served, not with a huge advantage.
                self._passes.setdefault(org, floor)
            return sorted(weights, key=lambda o: (self._passes[o], o))

    def served(self, org: int, weight: float) -> None:
        with self._lock:
            self._passes[org] = self._passes.get(org, 0.0) + 1.0 / max(weight, 1e-6)


FAIR_SHARE = FairShare()
