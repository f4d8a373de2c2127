"""Label maps: single-channel PNG images whose pixel values index a label (0 = unlabeled).

The pixel work of `segmentannotation`, in numpy: PNG data URIs in and out (Pillow only reads and
writes the file format), per-pixel weighted votes, and COCO run-length encoding (the compressed
string form `pycocotools.mask.decode` reads).
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Sequence

import numpy as np

from labelworks.errors import InvalidRequest

PNG_DATA_URI = "data:image/png;base64,"
MAX_PIXELS = 25_000_000  # 5000 x 5000; a label map is held in memory a few times over


def decode_png(uri: str, path: str) -> np.ndarray:
    """The `uint8` array (height x width) of a single-channel PNG given as a data URI."""
    from PIL import Image

    if not uri.startswith(PNG_DATA_URI):
        raise InvalidRequest(f"must be a PNG data URI ({PNG_DATA_URI}...)", path)
    try:
        raw = base64.b64decode(uri[len(PNG_DATA_URI) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("is not valid base64", path) from None
    try:
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InvalidRequest(f"has more than {MAX_PIXELS} pixels", path)
            if image.mode not in ("L", "P"):
                raise InvalidRequest(
                    f"must be a single-channel (grayscale or palette) PNG, not {image.mode}", path
                )
            # A palette image's array holds the palette indexes, which are the label indexes.
            return np.asarray(image, dtype=np.uint8).copy()
    except InvalidRequest:
        raise
    except Exception:
        raise InvalidRequest("is not a readable PNG image", path) from None


def encode_png(labels: np.ndarray) -> str:
    """A grayscale PNG data URI of a `uint8` label map."""
    return PNG_DATA_URI + base64.b64encode(png_bytes(labels)).decode("ascii")


def png_bytes(labels: np.ndarray) -> bytes:
    """A grayscale PNG of a `uint8` label map (a 2-D uint8 array is Pillow's mode "L")."""
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(labels, dtype=np.uint8)).save(out, format="PNG")
    return out.getvalue()


def remap(labels: np.ndarray, mapping: dict[int, int]) -> np.ndarray:
    """The label map with each pixel value `v` replaced by `mapping.get(v, 0)`."""
    table = np.zeros(256, dtype=np.uint8)
    for src, dst in mapping.items():
        table[src] = dst
    return table[labels]


def vote(maps: Sequence[np.ndarray], weights: Sequence[float]) -> tuple[np.ndarray, float]:
    """Per-pixel weighted vote over label maps of the same shape; the winning map and the mean
    share of the weight its pixels got (1.0 = everyone agreed everywhere).

    One label at a time, keeping the best so far: memory stays a few maps' worth whatever the
    number of labels (a full tally would be labels x pixels floats). Ties go to the lower index.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.sum() <= 0:
        w = np.ones(len(maps))
    shape = maps[0].shape
    winner = np.zeros(shape, dtype=np.uint8)
    best = np.full(shape, -1.0)
    for label in np.unique(np.concatenate([np.unique(m) for m in maps])):
        support = np.zeros(shape)
        for m, x in zip(maps, w, strict=True):
            support += x * (m == label)
        better = support > best
        winner[better], best[better] = label, support[better]
    share = float(best.mean() / w.sum()) if winner.size else 1.0
    return winner, share


def mean_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Mean over the labels present in either map (unlabeled included) of their IoU; maps of
    different sizes score 0."""
    if a.shape != b.shape:
        return 0.0
    present = np.union1d(np.unique(a), np.unique(b))
    ious = [
        np.logical_and(a == v, b == v).sum() / np.logical_or(a == v, b == v).sum() for v in present
    ]
    return float(np.mean(ious)) if ious else 1.0


def rle_encode(mask: np.ndarray) -> dict[str, object]:
    """COCO compressed RLE `{"size": [h, w], "counts": str}` of a boolean mask.

    Runs alternate 0s and 1s over the pixels in column-major order, starting with 0s; the
    counts string is the LEB128-like encoding of pycocotools' `rleToString` (maskApi.c), each
    run after the second stored as the difference to the run two before.
    """
    height, width = mask.shape
    flat = np.asarray(mask, dtype=bool).flatten(order="F")
    changes = np.flatnonzero(np.diff(flat.astype(np.int8))) + 1
    bounds = np.concatenate(([0], changes, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat.size and flat[0]:
        runs = [0, *runs]
    chars: list[str] = []
    for i, run in enumerate(runs):
        x = run - runs[i - 2] if i > 2 else run
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            if more:
                c |= 0x20
            chars.append(chr(c + 48))
    return {"size": [height, width], "counts": "".join(chars)}


def bbox(mask: np.ndarray) -> list[float]:
    """[left, top, width, height] of a non-empty boolean mask, in pixels."""
    ys, xs = np.nonzero(mask)
    return [
        float(xs.min()),
        float(ys.min()),
        float(xs.max() - xs.min() + 1),
        float(ys.max() - ys.min() + 1),
    ]


def color(index: int) -> str:
    """A stable, distinct-looking colour for a label index (Pascal VOC's bit-spread palette)."""
    r = g = b = 0
    c = index
    for shift in range(7, -1, -1):
        r |= ((c >> 0) & 1) << shift
        g |= ((c >> 1) & 1) << shift
        b |= ((c >> 2) & 1) << shift
        c >>= 3
    return f"#{r:02x}{g:02x}{b:02x}"
