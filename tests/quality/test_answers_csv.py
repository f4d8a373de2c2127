"""The pyarrow CSV path of `labelworks aggregate` gives what the Python path gave, on real data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from labelworks.commands.answers_csv import accuracy, encode_table, read_table, write_result
from labelworks.commands.quality import ANSWER_COLUMNS, TRUTH_COLUMNS
from labelworks.quality import make_estimator

DATASETS = Path(__file__).resolve().parents[1] / "data" / "crowd"
NAMES = ("duck", "product", "dog")


@pytest.mark.parametrize("method", ["ds", "mv", "onecoin"])
def test_csv_path_matches_fit_on_python_strings(
    crowd_data: dict, method: str, tmp_path: Path
) -> None:
    for name in NAMES:
        tasks, workers, labels, truth = crowd_data[name]
        before = make_estimator(method).fit(tasks, workers, labels).result()
        want_acc = sum(before[t][0] == v for t, v in truth.items() if t in before) / len(
            [t for t in truth if t in before]
        )

        enc, task_ids = encode_table(
            read_table(DATASETS / name / "answer.csv", ANSWER_COLUMNS), None
        )
        est = make_estimator(method).fit_encoded(enc)
        out = tmp_path / f"{name}.csv"
        write_result(est, task_ids, out)
        with out.open() as f:
            rows = list(csv.DictReader(f))
        after = {r["task"]: (r["label"], float(r["confidence"])) for r in rows}

        assert list(after) == list(before)  # same tasks, same (sorted) order
        assert all(after[t][0] == before[t][0] for t in before), name
        assert all(abs(after[t][1] - before[t][1]) <= 5e-7 for t in before), name
        got_acc = accuracy(est, task_ids, read_table(DATASETS / name / "truth.csv", TRUTH_COLUMNS))
        assert got_acc == pytest.approx(want_acc), name


def test_gold_quoting_and_ragged_rows(tmp_path: Path) -> None:
    answers = tmp_path / "a.csv"
    # A quoted id with a comma, a row with an extra field (the csv-module fallback accepts it).
    answers.write_text('task,worker,label\n"t,1",a,cat\n"t,1",b,cat\nt2,a,dog,extra\nt2,b,cat\n')
    enc, task_ids = encode_table(read_table(answers, ANSWER_COLUMNS), {"t2": "dog", "zz": "eel"})
    est = make_estimator("ds").fit_encoded(enc)
    assert enc.classes.tolist() == ["cat", "dog", "eel"]
    out = tmp_path / "out.csv"
    write_result(est, task_ids, out)
    assert out.read_text() == 'task,label,confidence\n"t,1",cat,1.000000\nt2,dog,1.000000\n'
