"""`labelworks aggregate` / `labelworks agreement`, run as real subprocesses."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data" / "crowd"  # copy of ../shared/datasets/crowd


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "labelworks.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    p = tmp_path / "answers.csv"
    p.write_text("task,worker,label\nt1,a,cat\nt1,b,cat\nt1,c,dog\nt2,a,dog\nt2,b,dog\nt2,c,dog\n")
    return p


def test_aggregate_writes_task_label_confidence_to_stdout(answers: Path) -> None:
    proc = run("aggregate", str(answers), "--method", "mv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [(r["task"], r["label"]) for r in rows] == [("t1", "cat"), ("t2", "dog")]
    assert float(rows[0]["confidence"]) == pytest.approx(2 / 3, abs=1e-6)


def test_aggregate_with_truth_prints_accuracy_last_on_stderr_and_writes_output_file(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.csv"
    proc = run(
        "aggregate",
        str(DATA / "dog/answer.csv"),
        "--method",
        "ds",
        "--truth",
        str(DATA / "dog/truth.csv"),
        "-o",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("accuracy: ") and float(last.split()[1]) > 0.8
    with out.open() as f:
        assert next(csv.reader(f)) == ["task", "label", "confidence"]


def test_aggregate_clamps_gold(answers: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.csv"
    gold.write_text("question,truth\nt1,dog\n")
    proc = run("aggregate", str(answers), "--method", "ds", "--gold", str(gold))
    assert proc.returncode == 0, proc.stderr
    assert "t1,dog,1.000000" in proc.stdout


def test_aggregate_does_not_import_pandas_sqlalchemy_or_fastapi(answers: Path) -> None:
    code = (
        f"import sys; sys.argv=['labelworks','aggregate',{str(answers)!r},'--method','ds'];"
        "from labelworks.cli import main\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print([m for m in ('pandas','sqlalchemy','fastapi') if m in sys.modules], file=sys.stderr)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert proc.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("content", "args", "needle"),
    [
        ("", [], "empty"),
        ("task,worker\nt1,a\n", [], "missing column"),
        ("task,worker,label\n", [], "no rows"),
        ("task,worker,label\nt1,a,x\n", ["--method", "bogus"], "unknown method"),
    ],
)
def test_bad_input_exits_2_with_one_line_message(
    tmp_path: Path, content: str, args: list[str], needle: str
) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(content)
    proc = run("aggregate", str(p), *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]


def test_missing_file_exits_2(tmp_path: Path) -> None:
    proc = run("aggregate", str(tmp_path / "nope.csv"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_agreement_prints_alpha_and_fleiss(answers: Path) -> None:
    from labelworks.quality import fleiss_kappa, krippendorff_alpha

    tasks, labels = ["t1"] * 3 + ["t2"] * 3, ["cat", "cat", "dog", "dog", "dog", "dog"]
    alpha = run("agreement", str(answers), "--metric", "alpha")
    fleiss = run("agreement", str(answers), "--metric", "fleiss")
    assert float(alpha.stdout) == pytest.approx(krippendorff_alpha(tasks, labels), abs=1e-6)
    assert float(fleiss.stdout) == pytest.approx(fleiss_kappa(tasks, labels), abs=1e-6)
