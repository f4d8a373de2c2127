"""The read cost of one sealed `Content` value on SQLite: the result processor as SQLAlchemy
builds it for a TypeDecorator (JSON-parse the stored string, then open and parse the plaintext)
against `Content.result_processor` (strip the quotes, open, parse once).

    PYTHONPATH=src python benchmarks/sealed_read.py [--tasks 20] [--rounds 3]

Values are the sealed columns (params, metadata, tags, instruction) of tasks made by
`crypto_overhead.py`'s create; prints µs per value, best of 3 repeats, per round.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from crypto_overhead import Side


def main() -> None:
    from sqlalchemy import text
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.types import TypeDecorator

    from labelworks.db.types import Content

    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    side = Side("sqlite", True)
    side.run("create", args.tasks)
    with side.db.read() as session:
        stmt = text("SELECT params, metadata, tags, instruction FROM tasks")
        raws = [value for row in session.execute(stmt) for value in row]
        column, dialect = Content(), sqlite.dialect()
        new = column.result_processor(dialect, None)
        old = TypeDecorator.result_processor(column, dialect, None)
        assert new is not None and old is not None
        assert [new(r) for r in raws] == [old(r) for r in raws]
        n = 2000
        for _ in range(args.rounds):
            for name, process in (("two JSON parses", old), ("quotes stripped", new)):
                best = min(
                    timeit.repeat(lambda p=process: [p(r) for r in raws], number=n, repeat=3)
                )
                print(f"{name:16s} {best / n / len(raws) * 1e6:6.2f} µs per sealed value")
    side.close()


if __name__ == "__main__":
    main()
