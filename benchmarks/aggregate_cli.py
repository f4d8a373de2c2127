"""Whole-process `labelworks aggregate` vs crowd-kit, `labelworks --help` time and idle server RSS.

    python benchmarks/aggregate_cli.py --ck-python /tmp/ck/bin/python            # everything
    python benchmarks/aggregate_cli.py --parts ds --runs 3 --ck-python /tmp/ck/bin/python
    python benchmarks/aggregate_cli.py --parts glad --ck-python /tmp/ck/bin/python
    python benchmarks/aggregate_cli.py --parts profile      # cProfile top lines of our DS process
    python benchmarks/aggregate_cli.py --parts help,rss

Parts:
- ds: a 1M-label CSV (200k tasks x 5 answers, 3 classes, 1k workers, string ids); wall time of the
  whole `labelworks aggregate --method ds --truth ... -o ...` process against a process running
  crowd-kit's `pd.read_csv` + `DawidSkene().fit_predict` + `to_csv` on the same file (crowd-kit
  lives in its own venv: `python3 -m venv /tmp/ck && /tmp/ck/bin/pip install crowd-kit`); runs
  alternate, medians reported; accuracy of both outputs scored here against the same truth;
- glad: the same at 100k labels (50k tasks x 2, 2 classes) with GLAD;
- profile: cProfile of our DS process (in-process run of the command), top lines by cumtime;
- help: wall time of `labelworks --help` (median of 5);
- rss: RSS of an idle `labelworks serve` on a fresh SQLite database, 3 s after it answers.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT / "src"))
# Bytecode caching on for every process measured (this machine sets PYTHONDONTWRITEBYTECODE,
# which would make each run compile ~500 modules); caches go to a prefix, not into the venvs.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV |= {"PYTHONPATH": str(ROOT / "src"), "PYTHONPYCACHEPREFIX": "/tmp/aggregate-bench-pycache"}
# size name -> (tasks, answers per task, classes)
SHAPES = {"ds": (200_000, 5, 3), "glad": (50_000, 2, 2)}
CK_METHOD = {"ds": "DawidSkene", "glad": "GLAD"}

CK_SCRIPT = """
import sys, warnings
import pandas as pd
import crowdkit.aggregation as ca
src, dst, method = sys.argv[1:4]
df = pd.read_csv(src)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    out = getattr(ca, method)().fit_predict(df)
out.rename("label").rename_axis("task").to_csv(dst)
"""


def write_csvs(folder: Path, part: str) -> tuple[Path, Path]:
    """Synthetic answers (the generator of benchmarks/aggregation.py) as CSV with string ids."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from aggregation import synthetic  # type: ignore[import-not-found]

    n_tasks, per, k = SHAPES[part]
    task, worker, label, truth = synthetic(n_tasks, per, k)

    def ids(prefix: str, a: np.ndarray) -> pa.Array:
        return pc.binary_join_element_wise(prefix, pa.array(a).cast(pa.string()), "")

    answers, truth_csv = folder / f"{part}_answers.csv", folder / f"{part}_truth.csv"
    table = pa.table({"task": ids("t", task), "worker": ids("w", worker), "label": pa.array(label)})
    pacsv.write_csv(table, answers, pacsv.WriteOptions(quoting_style="none"))
    truth_table = pa.table({"task": ids("t", np.arange(n_tasks)), "label": pa.array(truth)})
    pacsv.write_csv(truth_table, truth_csv, pacsv.WriteOptions(quoting_style="none"))
    return answers, truth_csv


def accuracy(output: Path, truth: Path) -> float:
    with truth.open() as f:
        want = {r["task"]: r["label"] for r in csv.DictReader(f)}
    with output.open() as f:
        got = {r["task"]: r["label"] for r in csv.DictReader(f)}
    return sum(got.get(t) == v for t, v in want.items()) / len(want)


def timed(cmd: list[str], src: str | None = None) -> float:
    env = ENV | {"PYTHONPATH": src} if src else ENV
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed:\n{proc.stderr[-2000:]}")
    return secs


def part_compare(
    part: str, runs: int, ck_python: str | None, folder: Path, baseline: str | None
) -> None:
    answers, truth = write_csvs(folder, part)
    ours_out, ck_out = folder / "ours.csv", folder / "ck.csv"
    ours_cmd = [sys.executable, "-m", "labelworks", "aggregate", str(answers), "-m", part]
    ours_cmd += ["--truth", str(truth), "-o", str(ours_out)]
    ck_cmd = [ck_python or "", "-c", CK_SCRIPT, str(answers), str(ck_out), CK_METHOD[part]]
    base_out = folder / "base.csv"
    base_cmd = [*ours_cmd[:-1], str(base_out)]
    ours_s: list[float] = []
    ck_s: list[float] = []
    base_s: list[float] = []
    timed(ours_cmd)  # warm the bytecode cache and the page cache
    if baseline:
        timed(base_cmd, baseline)
    for _ in range(runs):  # alternate so all see the same machine load
        ours_s.append(timed(ours_cmd))
        if ck_python:
            ck_s.append(timed(ck_cmd))
        if baseline:
            base_s.append(timed(base_cmd, baseline))
    n_tasks, per, k = SHAPES[part]
    print(f"\n## {part}: {n_tasks * per:,} labels ({n_tasks:,} tasks x {per}, {k} classes)\n")
    print(f"| impl | whole process s (median of {runs}) | all runs | accuracy |")
    print("|---|---|---|---|")
    ours_med = statistics.median(ours_s)
    runs_txt = " ".join(f"{s:.2f}" for s in ours_s)
    print(f"| labelworks | {ours_med:.2f} | {runs_txt} | {accuracy(ours_out, truth):.4f} |")
    if ck_s:
        ck_med = statistics.median(ck_s)
        runs_txt = " ".join(f"{s:.2f}" for s in ck_s)
        print(f"| crowd-kit | {ck_med:.2f} | {runs_txt} | {accuracy(ck_out, truth):.4f} |")
    if base_s:
        base_med = statistics.median(base_s)
        runs_txt = " ".join(f"{s:.2f}" for s in base_s)
        print(
            f"| labelworks before | {base_med:.2f} | {runs_txt} | {accuracy(base_out, truth):.4f} |"
        )
    if ck_s:
        print(f"\nspeed-up vs crowd-kit: {ck_med / ours_med:.1f}x")


def part_profile(folder: Path, part: str) -> None:
    answers, truth = write_csvs(folder, part)
    code = (
        "import cProfile, pstats, sys\n"
        f"sys.argv = ['labelworks', 'aggregate', {str(answers)!r}, '-m', {part!r},"
        f" '--truth', {str(truth)!r}, '-o', {str(folder / 'prof.csv')!r}]\n"
        "from labelworks.cli import main\n"
        "pr = cProfile.Profile(); pr.enable()\n"
        "try: main()\nexcept SystemExit: pass\n"
        "pr.disable(); pstats.Stats(pr).sort_stats('cumulative').print_stats(25)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    print(f"\n## cProfile of `labelworks aggregate -m {part}` (top 25 by cumtime)\n")
    print(proc.stdout)


def part_help() -> None:
    cmd = [sys.executable, "-m", "labelworks", "--help"]
    timed(cmd)
    secs = [timed(cmd) for _ in range(5)]
    print(f"\n`labelworks --help`: median {statistics.median(secs):.3f} s of 5")


def part_rss(folder: Path) -> None:
    port = 18931
    env = {**ENV, "LABELWORKS_DATA_DIR": str(folder / "serve-data")}
    cmd = [sys.executable, "-m", "labelworks", "serve", "--port", str(port)]
    cmd += ["--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError as exc:
                if getattr(exc, "code", None):  # any HTTP answer: the server is up
                    break
                time.sleep(0.2)
        time.sleep(3)
        status = Path(f"/proc/{proc.pid}/status").read_text()
        rss = next(line for line in status.splitlines() if line.startswith("VmRSS"))
        print(f"\nidle `labelworks serve` (SQLite, one process) {rss.split(':')[1].strip()}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--parts", default="ds,glad,help,rss")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--ck-python", default=None, help="python of a venv with crowd-kit")
    p.add_argument("--baseline-src", default=None, help="a src/ of an older labelworks to time")
    args = p.parse_args()
    print(
        f"# machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}"
    )
    print(f"# command: python {' '.join(sys.argv)}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for part in args.parts.split(","):
            if part in SHAPES:
                part_compare(part, args.runs, args.ck_python, folder, args.baseline_src)
            elif part == "profile":
                part_profile(folder, "ds")
            elif part == "profile-glad":
                part_profile(folder, "glad")
            elif part == "help":
                part_help()
            elif part == "rss":
                part_rss(folder)


if __name__ == "__main__":
    main()
