"""Quality-engine benchmark: Labelworks aggregation side by side with crowd-kit.

    python benchmarks/aggregation.py                      # everything at default sizes
    python benchmarks/aggregation.py --parts datasets     # real crowd datasets only
    python benchmarks/aggregation.py --parts synthetic --sizes 100k,1M --methods ds,mv
    python benchmarks/aggregation.py --parts adaptive

Parts:
- datasets: accuracy and seconds per method on /work/shared/datasets/crowd/{duck,product,dog};
- synthetic: seconds and peak RSS per method on generated data (each run in a fresh process so
  peak RSS is per method); crowd-kit runs up to --ck-max-size (slow methods are measured at
  --ck-slow-size and extrapolated linearly, marked "~");
- adaptive: labels used and accuracy of AdaptiveOverlapPolicy vs fixed overlap 5.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Other benchmark modules live next to this script (e.g. a `queue.py`) and would shadow the
# standard library inside crowd-kit's imports; run as if from the repository root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT / "tests" / "data" / "crowd"  # copy of ../shared/datasets/crowd
METHODS = ["mv", "wawa", "zbs", "ds", "onecoin", "glad", "mace"]
SLOW_CK = {"glad", "mace", "zbs"}
# size -> (tasks, labels per task, classes)
SIZES = {"100k": (50_000, 2, 2), "1M": (200_000, 5, 3), "5M": (1_000_000, 5, 5)}
N_WORKERS = 1_000


def synthetic(n_tasks: int, per_task: int, k: int, seed: int = 0):
    """Answers from 1k workers: 10% spammers (uniform), the rest right with p ~ U(0.55, 0.95)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_tasks)
    acc = rng.uniform(0.55, 0.95, N_WORKERS)
    acc[rng.random(N_WORKERS) < 0.1] = 1.0 / k
    task = np.repeat(np.arange(n_tasks), per_task)
    worker = rng.integers(0, N_WORKERS, len(task))
    right = rng.random(len(task)) < acc[worker]
    wrong = (truth[task] + rng.integers(1, k, len(task))) % k if k > 1 else truth[task]
    label = np.where(right, truth[task], wrong)
    return task, worker, label, truth


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(impl: str, method: str, size: str, n_tasks: int) -> dict:
    """Generate data, fit one method, return seconds / accuracy / peak RSS (called in a child)."""
    import numpy as np

    nt, per, k = SIZES[size]
    if n_tasks:
        nt = n_tasks
    task, worker, label, truth = synthetic(nt, per, k)
    base_rss = peak_rss_mb()
    if impl == "ours":
        from labelworks.quality import make_estimator

        t0 = time.perf_counter()
        est = make_estimator(method).fit(task, worker, label)
        secs = time.perf_counter() - t0
        pred = np.full(nt, -1)
        pred[est.tasks_.astype(np.int64)] = est.labels_
    else:
        import crowdkit.aggregation as ca
        import pandas as pd

        df = pd.DataFrame({"task": task, "worker": worker, "label": label})
        est = {
            "mv": ca.MajorityVote,
            "wawa": ca.Wawa,
            "zbs": ca.ZeroBasedSkill,
            "ds": ca.DawidSkene,
            "onecoin": ca.OneCoinDawidSkene,
            "glad": ca.GLAD,
            "mace": ca.MACE,
        }[method]()
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = est.fit_predict(df)
        secs = time.perf_counter() - t0
        pred = np.full(nt, -1)
        pred[out.index.to_numpy().astype(np.int64)] = out.to_numpy().astype(np.int64)
    return {
        "seconds": secs,
        "accuracy": float((pred == truth).mean()),
        "rss_mb": peak_rss_mb(),
        "data_rss_mb": base_rss,
        "labels": len(task),
    }


def child(
    impl: str, method: str, size: str, n_tasks: int = 0, timeout: float = 3600
) -> dict | None:
    cmd = [sys.executable, __file__, "--child", impl, method, size, str(n_tasks)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def read_dataset(name: str):
    with (DATA / name / "answer.csv").open() as f:
        rows = list(csv.DictReader(f))
    with (DATA / name / "truth.csv").open() as f:
        truth = {r["question"]: r["truth"] for r in csv.DictReader(f)}
    return (
        [r["question"] for r in rows],
        [r["worker"] for r in rows],
        [r["answer"] for r in rows],
        truth,
    )


def part_datasets(methods: list[str], with_ck: bool) -> None:
    import crowdkit.aggregation as ca
    import pandas as pd

    from labelworks.quality import make_estimator

    print("\n## Real datasets (accuracy / seconds)\n")
    print(
        "| dataset | method | Labelworks acc | Labelworks s | crowd-kit acc | crowd-kit s | speed-up |"
    )
    print("|---|---|---|---|---|---|---|")
    ck_cls = {
        "mv": ca.MajorityVote,
        "wawa": ca.Wawa,
        "zbs": ca.ZeroBasedSkill,
        "ds": ca.DawidSkene,
        "onecoin": ca.OneCoinDawidSkene,
        "glad": ca.GLAD,
        "mace": ca.MACE,
    }
    for name in ("duck", "product", "dog"):
        tasks, workers, labels, truth = read_dataset(name)
        df = pd.DataFrame({"task": tasks, "worker": workers, "label": labels})
        for m in methods:
            t0 = time.perf_counter()
            ours = make_estimator(m).fit(tasks, workers, labels).result()
            s1 = time.perf_counter() - t0
            a1 = sum(ours[t][0] == v for t, v in truth.items() if t in ours) / len(truth)
            a2 = s2 = float("nan")
            if with_ck:
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    theirs = ck_cls[m]().fit_predict(df).to_dict()
                s2 = time.perf_counter() - t0
                a2 = sum(theirs.get(t) == v for t, v in truth.items()) / len(truth)
            print(
                f"| {name} | {m} | {a1:.4f} | {s1:.3f} | {a2:.4f} | {s2:.2f} | {s2 / s1:.0f}x |",
                flush=True,
            )


def part_synthetic(methods: list[str], sizes: list[str], ck_max: str, ck_slow: str) -> None:
    order = list(SIZES)
    print("\n## Synthetic data (seconds, peak RSS MB of a fresh process incl. the data)\n")
    print("| size | method | Labelworks s | RSS MB | acc | crowd-kit s | RSS MB | acc | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        for m in methods:
            ours = child("ours", m, size)
            ck_cell = "not run"
            ratio = ""
            if ours and ck_max and order.index(size) <= order.index(ck_max):
                if m in SLOW_CK and order.index(size) > order.index(ck_slow):
                    # Measure on a slice of tasks, extrapolate linearly in the number of labels.
                    scale_tasks = SIZES[ck_slow][0]
                    ck = child("ck", m, size, n_tasks=scale_tasks)
                    if ck:
                        factor = SIZES[size][0] / scale_tasks
                        est = ck["seconds"] * factor
                        ck_cell = f"~{est:.1f} (measured {ck['seconds']:.1f} s on {ck['labels']:,} labels, x{factor:.0f}) | {ck['rss_mb']:.0f}* | {ck['accuracy']:.4f}"
                        ratio = f"~{est / ours['seconds']:.0f}x"
                else:
                    ck = child("ck", m, size)
                    if ck:
                        ck_cell = f"{ck['seconds']:.2f} | {ck['rss_mb']:.0f} | {ck['accuracy']:.4f}"
                        ratio = f"{ck['seconds'] / ours['seconds']:.0f}x"
            if ck_cell == "not run":
                ck_cell = "not run | | "
            if ours:
                print(
                    f"| {size} | {m} | {ours['seconds']:.2f} | {ours['rss_mb']:.0f} | {ours['accuracy']:.4f} | {ck_cell} | {ratio} |",
                    flush=True,
                )
            else:
                print(f"| {size} | {m} | failed | | | {ck_cell} | |", flush=True)


def part_adaptive(thresholds: list[float]) -> None:
    from labelworks.quality import AdaptiveOverlapPolicy, simulate_adaptive

    print(
        "\n## Adaptive overlap vs fixed overlap 5 (skills cross-fitted on the other half of tasks)\n"
    )
    print(
        "| dataset | model | threshold | fixed-5 labels | fixed-5 acc | adaptive labels | adaptive acc | saved | acc diff (pt) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in ("duck", "product", "dog"):
        tasks, workers, labels, truth = read_dataset(name)
        for model in ("onecoin", "ds"):
            for th in thresholds:
                policy = AdaptiveOverlapPolicy(threshold=th, min_labels=1, max_labels=5)
                r = simulate_adaptive(tasks, workers, labels, truth, policy, model=model)
                diff = 100 * (r.adaptive_accuracy - r.fixed_accuracy)
                print(
                    f"| {name} | {model} | {th} | {r.fixed_labels} | {r.fixed_accuracy:.4f} | {r.adaptive_labels} | {r.adaptive_accuracy:.4f} | {r.savings:.0%} | {diff:+.2f} |",
                    flush=True,
                )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        impl, method, size, n_tasks = sys.argv[2:6]
        print(json.dumps(run_one(impl, method, size, int(n_tasks))))
        return
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--parts", default="datasets,synthetic,adaptive")
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--sizes", default="100k,1M,5M", help="comma list of " + ",".join(SIZES))
    p.add_argument("--ck-max-size", default="1M", help="largest size crowd-kit runs at")
    p.add_argument(
        "--ck-slow-size",
        default="100k",
        help="size at which crowd-kit's slow methods (GLAD, MACE, ZBS) are measured",
    )
    p.add_argument("--no-crowdkit", action="store_true")
    p.add_argument("--thresholds", default="0.9,0.95,0.99")
    args = p.parse_args()
    methods = args.methods.split(",")
    print(
        f"# machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"# command: python {' '.join(sys.argv)}")
    parts = args.parts.split(",")
    if "datasets" in parts:
        part_datasets(methods, not args.no_crowdkit)
    if "synthetic" in parts:
        part_synthetic(
            methods,
            args.sizes.split(","),
            "" if args.no_crowdkit else args.ck_max_size,
            args.ck_slow_size,
        )
    if "adaptive" in parts:
        part_adaptive([float(x) for x in args.thresholds.split(",")])


if __name__ == "__main__":
    main()
