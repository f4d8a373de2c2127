"""When to try a failed callback again: exponential backoff with jitter, capped.

With the defaults (30 s base, 2 h cap, 20 attempts) the 19 waits are 30 s, 1 min, 2 min … 64 min,
then 2 h eleven times: about 24 hours in all, as Scale documents for its callbacks.
"""

from __future__ import annotations

import random

from labelworks.settings import Settings

JITTER = 0.2  # each wait is scaled by a random factor in [1 - JITTER, 1 + JITTER]


def nominal_delay(attempt: int, base: float, cap: float) -> float:
    """The wait after failed attempt number `attempt` (1-based), before jitter."""
    return min(cap, base * 2.0 ** min(attempt - 1, 60))


def retry_delay(attempt: int, settings: Settings, rng: random.Random | None = None) -> float:
    nominal = nominal_delay(
        attempt, settings.callback_backoff_base_seconds, settings.callback_backoff_max_seconds
    )
    factor = 1.0 + (rng or random).uniform(-JITTER, JITTER)
    return nominal * factor


def total_schedule_seconds(settings: Settings) -> float:
    """Nominal time from the first attempt to the last one."""
    return sum(
        nominal_delay(
            n, settings.callback_backoff_base_seconds, settings.callback_backoff_max_seconds
        )
        for n in range(1, settings.callback_max_attempts)
    )
