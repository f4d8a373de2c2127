"""Shared fixtures for quality-engine tests: the crowd datasets, read as strings like the CLI does."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

DATASETS = (
    Path(__file__).resolve().parents[1] / "data" / "crowd"
)  # copy of ../shared/datasets/crowd
NAMES = ("duck", "product", "dog")


def read_answers(name: str) -> tuple[list[str], list[str], list[str], dict[str, str]]:
    with (DATASETS / name / "answer.csv").open() as f:
        rows = list(csv.DictReader(f))
    with (DATASETS / name / "truth.csv").open() as f:
        truth = {r["question"]: r["truth"] for r in csv.DictReader(f)}
    return (
        [r["question"] for r in rows],
        [r["worker"] for r in rows],
        [r["answer"] for r in rows],
        truth,
    )


@pytest.fixture(scope="session")
def crowd_data() -> dict[str, tuple[list[str], list[str], list[str], dict[str, str]]]:
    if not DATASETS.exists():
        pytest.skip("crowd datasets not available")
    return {name: read_answers(name) for name in NAMES}
