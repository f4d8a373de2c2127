"""Agreement metrics agree with independent implementations to 1e-6."""

from __future__ import annotations

import numpy as np
import pytest

from labelworks.quality import cohen_kappa, fleiss_kappa, krippendorff_alpha, worker_agreement
from labelworks.quality.agreement import value_counts

krippendorff = pytest.importorskip("krippendorff")


def random_reliability(
    seed: int, raters: int = 5, units: int = 60, values: int = 4, missing: float = 0.3
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, values + 1, units)
    data = np.where(
        rng.random((raters, units)) < 0.7, truth, rng.integers(1, values + 1, (raters, units))
    ).astype(float)
    data[rng.random((raters, units)) < missing] = np.nan
    return data


def long_form(data: np.ndarray) -> tuple[list[int], list[float]]:
    r, u = np.nonzero(~np.isnan(data))
    return u.tolist(), data[r, u].tolist()


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
@pytest.mark.parametrize("seed", range(5))
def test_krippendorff_alpha_matches_krippendorff_package(level: str, seed: int) -> None:
    data = random_reliability(seed)
    tasks, labels = long_form(data)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert krippendorff_alpha(tasks, labels, level=level) == pytest.approx(expected, abs=1e-6)


def test_krippendorff_alpha_matches_package_on_dog_dataset(crowd_data) -> None:
    tasks, _, labels, _ = crowd_data["dog"]
    counts, _ = value_counts(tasks, labels)
    expected = krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")
    assert krippendorff_alpha(tasks, labels) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_fleiss_kappa_matches_statsmodels(seed: int) -> None:
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    rng = np.random.default_rng(seed)
    table = rng.multinomial(6, rng.dirichlet(np.ones(4)), size=40)
    tasks = [u for u in range(40) for c in range(4) for _ in range(table[u, c])]
    labels = [c for u in range(40) for c in range(4) for _ in range(table[u, c])]
    expected = sm_fleiss(table, method="fleiss")
    assert fleiss_kappa(counts=table) == pytest.approx(expected, abs=1e-6)
    assert fleiss_kappa(tasks, labels) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("seed", range(5))
def test_cohen_kappa_matches_sklearn(weights: str | None, seed: int) -> None:
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, 100)
    b = np.where(rng.random(100) < 0.6, a, rng.integers(0, 4, 100))
    expected = cohen_kappa_score(a, b, weights=weights)
    assert cohen_kappa(a.tolist(), b.tolist(), weights=weights) == pytest.approx(expected, abs=1e-6)


def test_worker_agreement_is_share_of_answers_matching_consensus() -> None:
    tasks = ["t1", "t1", "t1", "t2", "t2", "t2"]
    workers = ["a", "b", "c", "a", "b", "c"]
    labels = ["x", "x", "y", "z", "z", "z"]
    assert worker_agreement(tasks, workers, labels) == {"a": 1.0, "b": 1.0, "c": 0.5}
