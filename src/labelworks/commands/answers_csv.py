"""Crowd answers in CSV files for `labelworks aggregate`/`agreement`, read and written with pyarrow.

pyarrow's C++ reader and hash kernels do in ~0.1 s what the csv module and a dict took ~2 s for at
1M rows. pyarrow is imported inside the functions (`labelworks --help` stays fast), and nothing
here builds arrow arrays from Python or numpy objects, or converts them with `to_numpy()`: both
make pyarrow import pandas, ~0.4 s of a process that never uses it.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any


class InputError(Exception):
    """Bad input file; the message names the problem in one line."""


def read_columns(path: Path, accepted: tuple[tuple[str, ...], ...]) -> list[list[str]]:
    """Columns of a CSV whose header holds one of the accepted column-name sets."""
    try:
        f = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            raise InputError(f"{path} is empty")
        names = [h.strip() for h in header]
        for cols in accepted:
            if all(c in names for c in cols):
                idx = [names.index(c) for c in cols]
                break
        else:
            wanted = " or ".join(",".join(c) for c in accepted)
            missing = [c for c in accepted[0] if c not in names]
            raise InputError(
                f"{path} is missing column(s) {','.join(missing)} (expected header {wanted})"
            )
        out: list[list[str]] = [[] for _ in idx]
        width = max(idx) + 1
        for lineno, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) < width:
                raise InputError(
                    f"{path} line {lineno} has {len(row)} field(s), expected at least {width}"
                )
            for col, i in zip(out, idx, strict=True):
                col.append(row[i])
    if not out[0]:
        raise InputError(f"{path} has a header but no rows")
    return out


def read_table(path: Path, accepted: tuple[tuple[str, ...], ...]) -> list[Any]:
    """`read_columns` as pyarrow string arrays.

    A file the strict arrow parser refuses (e.g. a row with a missing or an extra field) goes
    through `read_columns`, which either accepts it as before or names the bad line.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        f = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with f:
        header = next(csv.reader(f), None)
    if not header:
        raise InputError(f"{path} is empty")
    names = [h.strip() for h in header]
    cols = next((c for c in accepted if all(n in names for n in c)), None)
    if cols is None or len(set(names)) != len(names):
        return [strings(col) for col in read_columns(path, accepted)]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(cols),
                column_types=dict.fromkeys(cols, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return [strings(col) for col in read_columns(path, accepted)]
    if table.num_rows == 0:
        raise InputError(f"{path} has a header but no rows")
    return [table.column(c).combine_chunks() for c in cols]


def strings(values: list[str]) -> Any:
    """An arrow string array from Python strings, built from its buffers (see the module doc)."""
    import numpy as np
    import pyarrow as pa

    data = [v.encode() for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in data], out=offsets[1:])
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    return pa.Array.from_buffers(pa.large_string(), len(data), buffers).cast(pa.string())


def ints(values: Any) -> Any:
    """An arrow int64 array viewing a numpy array."""
    import numpy as np
    import pyarrow as pa

    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def numbers(array: Any) -> Any:
    """A numpy view of an arrow integer array without nulls."""
    import numpy as np

    dtype = np.dtype(str(array.type))
    return np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize
    )


def positions(values: Any, value_set: Any) -> tuple[Any, Any]:
    """Index of each value in `value_set` and a mask of the values found there."""
    import numpy as np
    import pyarrow.compute as pc

    found = pc.index_in(values, value_set=value_set)
    where = numbers(found)
    bitmap = found.buffers()[0]
    if bitmap is None:
        return where, np.ones(len(found), dtype=bool)
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return where, bits[found.offset : found.offset + len(found)].astype(bool)


def sorted_codes(column: Any) -> tuple[Any, Any]:
    """`(codes, uniques)` with uniques sorted as `np.unique` sorts strings: one hash pass, then a
    sort of the distinct values only."""
    import numpy as np
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    order = numbers(pc.array_sort_indices(encoded.dictionary))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[numbers(encoded.indices)], encoded.dictionary.take(ints(order))


def encode_table(columns: list[Any], gold: dict[str, str] | None) -> tuple[Any, Any]:
    """The quality engine's `Encoded` straight from arrow columns, as `encode` builds it from the
    same strings (sorted tasks, workers and classes; gold labels are classes too), and the task
    ids as an arrow array for the output."""
    import numpy as np
    import pyarrow.compute as pc

    from labelworks.quality.encoding import Encoded

    tasks, workers, labels = columns
    t_codes, t_uniques = sorted_codes(tasks)
    w_codes, w_uniques = sorted_codes(workers)
    l_encoded = pc.dictionary_encode(labels)
    seen = l_encoded.dictionary.to_pylist()  # a handful of classes
    classes = sorted(set(seen) | set((gold or {}).values()))
    class_index = {c: i for i, c in enumerate(classes)}
    remap = np.asarray([class_index[c] for c in seen], dtype=np.int64)
    l_codes = remap[numbers(l_encoded.indices)]
    g_task = np.zeros(0, dtype=np.int64)
    g_label = np.zeros(0, dtype=np.int64)
    if gold:
        where, known = positions(strings(list(gold)), t_uniques)
        g_task = where[known].astype(np.int64)
        g_label = np.asarray([class_index[v] for v in gold.values()], dtype=np.int64)[known]
    enc = Encoded(
        t_codes,
        w_codes,
        l_codes,
        objects(t_uniques.to_pylist()),
        objects(w_uniques.to_pylist()),
        objects(classes),
        g_task,
        g_label,
    )
    return enc, t_uniques


def objects(values: list[Any]) -> Any:
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def write_result(est: Any, task_ids: Any, output: Path | None) -> None:
    """task,label,confidence (6 decimals); csv.writer when a value needs quoting, which the
    unquoted arrow style refuses."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    codes = est.label_codes_
    conf = est.probas_[np.arange(len(codes)), codes]
    micro = np.rint(conf * 1e6).astype(np.int64)  # posteriors are in [0, 1]
    # 0.25 -> 10250000 -> "0250000" -> "0.250000" (kernel options, no Python scalars)
    digits = pc.utf8_slice_codeunits(ints(micro + 10_000_000).cast(pa.string()), 1)
    confidence = pc.utf8_replace_slice(digits, 1, 1, ".")
    table = pa.table(
        {
            "task": task_ids,
            "label": strings(est.classes_.tolist()).take(ints(codes)),
            "confidence": confidence,
        }
    )
    needs_quotes = any(
        pc.any(pc.match_substring_regex(table.column(c), '[,"\r\n]')).as_py()
        for c in ("task", "label")
    )
    out = output.open("wb") if output else sys.stdout.buffer
    try:
        out.write(b"task,label,confidence\n")
        if needs_quotes:
            text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
            rows = zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True)
            csv.writer(text, lineterminator="\n").writerows(rows)
            text.detach()
        else:
            options = pacsv.WriteOptions(include_header=False, quoting_style="none")
            pacsv.write_csv(table, out, options)
    finally:
        if output:
            out.close()
        else:
            out.flush()


def accuracy(est: Any, task_ids: Any, truth: list[Any]) -> float:
    """Share of the truth file's tasks (those that have answers) labelled as the truth says."""
    import pyarrow.compute as pc

    t_tasks, t_labels = truth
    if pc.count_distinct(t_tasks).as_py() != len(t_tasks):  # repeated task: the last row wins
        last = dict(zip(t_tasks.to_pylist(), t_labels.to_pylist(), strict=True))
        t_tasks, t_labels = strings(list(last)), strings(list(last.values()))
    where, known = positions(t_tasks, task_ids)
    if not known.any():
        return 0.0
    expected = objects(t_labels.to_pylist())[known]
    return float((est.labels_[where[known]] == expected).mean())
