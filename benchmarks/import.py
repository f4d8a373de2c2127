"""Import a large JSONL file of tasks with `labelworks import`.

    python benchmarks/import.py [--n 1000000] [--backend sqlite|postgresql]

Writes `--n` categorization create bodies (`attachment`, `unique_id`, `metadata`) to a JSONL
file, runs the CLI import into a fresh database in a child process, and prints tasks/s and the
child's peak RSS. Target: >= 20,000 tasks/s on SQLite (Label Studio imports ~5,000/s here).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).parent))  # after the stdlib: benchmarks/queue.py exists
from _harness import drop_pg, fresh_env


def write_file(path: Path, n: int) -> None:
    with path.open("w") as f:
        for start in range(0, n, 10_000):
            f.write(
                "".join(
                    json.dumps(
                        {
                            "attachment": f"https://e.com/{i}.png",
                            "unique_id": f"u{i}",
                            "metadata": {"i": i},
                        }
                    )
                    + "\n"
                    for i in range(start, min(n, start + 10_000))
                )
            )


def setup(env: dict[str, str], url: str) -> str:
    from labelworks.db.database import Database
    from labelworks.services.orgs import create_org
    from labelworks.services.projects import create_project
    from labelworks.services.scope import Principal
    from labelworks.settings import Settings

    db = Database.open(Settings(data_dir=Path(env["LABELWORKS_DATA_DIR"]), database_url=url))
    with db.write() as session:
        org, _ = create_org(session, "bench")
        create_project(
            session,
            Principal(org.id, org.name),
            {
                "name": "cats",
                "type": "categorization",
                "params": {"categories": ["cat", "dog"], "attachment_type": "image"},
            },
        )
    db.engine.dispose()
    return org.name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    env, url, pg = fresh_env(args.backend)
    try:
        org = setup(env, url)
        path = Path(env["LABELWORKS_DATA_DIR"]) / "tasks.jsonl"
        write_file(path, args.n)
        began = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "labelworks",
                "import",
                "--org",
                org,
                "--project",
                "cats",
                str(path),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - began
        if status != 0:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "import failed")
        print(
            f"imported {args.n:,} tasks ({args.backend}) in {seconds:.1f} s: "
            f"{args.n / seconds:,.0f} tasks/s, peak RSS {usage.ru_maxrss / 1024:.0f} MB"
        )
    finally:
        drop_pg(pg)


if __name__ == "__main__":
    main()
