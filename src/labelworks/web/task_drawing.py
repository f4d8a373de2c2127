"""A task's response as something a page can draw: shapes for an SVG overlay in image pixels,
a segmentation mask as a coloured PNG, NER spans as marked text, the chosen categories or
comparison response, form fields. Pure: no I/O; the task page's templates render the result."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from typing import Any

from labelworks.services.files import FILE_URL
from labelworks.tasktypes import labelmap
from labelworks.web.markdown import to_html

IMAGE_TYPES = frozenset(
    {
        "imageannotation",
        "annotation",
        "polygonannotation",
        "lineannotation",
        "pointannotation",
        "segmentannotation",
    }
)
FIELD_TYPES = frozenset({"textcollection", "transcription", "datacollection"})
MEDIA_ROUTE = "/tasks/media/"


def media_url(url: Any) -> str | None:
    """The attachment as the customer's browser loads it: our own uploads through the
    cookie-authenticated media route (the `/v1` URL needs an API key), other URLs as given."""
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        return None  # inline text, or a scheme a link must not carry (javascript:)
    match = FILE_URL.search(url)
    return MEDIA_ROUTE + match.group(1) if match else url


def own_file_id(url: Any) -> str | None:
    match = FILE_URL.search(url) if isinstance(url, str) else None
    return match.group(1) if match else None


@dataclass
class Shape:
    """One SVG element: `tag` (rect, polygon, polyline, circle, ellipse) and its attributes."""

    tag: str
    label: str
    attrs: dict[str, str]


@dataclass
class Segment:
    """A run of NER text; `label` set when the run is inside a span."""

    text: str
    label: str | None = None
    colour: int = 0  # the label's index, for its CSS class


@dataclass
class Drawing:
    """What the page shows for one response. `kind` picks the template block."""

    kind: str
    shapes: list[Shape] = field(default_factory=list)
    mask: str | None = None  # coloured RGBA PNG data URI for segmentation
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, colour)
    segments: list[Segment] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    chosen: str | None = None
    ranking: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    raw: str = ""


def draw(task_type: str, params: dict[str, Any], response: dict[str, Any] | None) -> Drawing:
    if response is None:
        return Drawing("none")
    raw = json.dumps(response, indent=1, ensure_ascii=False)
    try:
        drawing = _draw(task_type, params, response)
    except (KeyError, TypeError, ValueError, AttributeError):
        drawing = None  # a shape this page does not know: the JSON below still shows it
    drawing = drawing or Drawing("json")
    drawing.raw = raw if len(raw) < 200_000 else raw[:200_000] + "…"
    return drawing


def _draw(task_type: str, params: dict[str, Any], response: dict[str, Any]) -> Drawing | None:
    if task_type == "segmentannotation":
        return _mask(response)
    if task_type in IMAGE_TYPES:
        return _shapes(response)
    if task_type == "namedentityrecognition":
        return Drawing("spans", segments=spans(params.get("text", ""), response["annotations"]))
    if task_type == "categorization":
        chosen = response["category"]
        return Drawing("categories", categories=chosen if isinstance(chosen, list) else [chosen])
    if task_type == "comparison":
        return Drawing(
            "comparison",
            chosen=str(response.get("chosen")),
            ranking=[str(r) for r in response.get("ranking") or []],
            fields=_fields(response.get("fields") or {}),
        )
    if task_type in FIELD_TYPES:
        values = dict(response.get("fields") or {})
        for i, row in enumerate(response.get("repeatable_fields") or []):
            values[f"row {i + 1}"] = row
        return Drawing("fields", fields=_fields(values))
    return None


def _fields(values: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        for k, v in values.items()
    ]


def _n(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _points(vertices: list[dict[str, Any]]) -> str:
    return " ".join(f"{_n(v['x'])},{_n(v['y'])}" for v in vertices)


def _shapes(response: dict[str, Any]) -> Drawing:
    shapes: list[Shape] = []
    colours: dict[str, str] = {}
    for a in response.get("annotations") or []:
        label = str(a.get("label", ""))
        colour = colours.setdefault(label, labelmap.color(len(colours) + 1))
        paint = {"stroke": colour, "data-label": label}
        kind = a.get("type", "box")
        if kind == "box":
            attrs = {"x": a["left"], "y": a["top"], "width": a["width"], "height": a["height"]}
            shapes.append(Shape("rect", label, {k: _n(v) for k, v in attrs.items()} | paint))
        elif kind in ("polygon", "line"):
            tag = "polygon" if kind == "polygon" else "polyline"
            shapes.append(Shape(tag, label, {"points": _points(a["vertices"])} | paint))
        elif kind == "point":
            shapes.append(Shape("circle", label, {"cx": _n(a["x"]), "cy": _n(a["y"]), "r": "4"}))
            shapes[-1].attrs |= paint | {"fill": colour}
        elif kind == "ellipse":
            x, y = _n(a["x"]), _n(a["y"])
            attrs = {"cx": x, "cy": y, "rx": _n(a["rx"]), "ry": _n(a["ry"])}
            if a.get("angle"):
                attrs["transform"] = f"rotate({_n(a['angle'])} {x} {y})"
            shapes.append(Shape("ellipse", label, attrs | paint))
    return Drawing("shapes", shapes=shapes, legend=list(colours.items()))


def _mask(response: dict[str, Any]) -> Drawing:
    """The indexedImage with each label index in its mapping's colour (0 stays transparent)."""
    import numpy as np
    from PIL import Image

    indexes = labelmap.decode_png(
        response["annotations"]["combined"]["indexedImage"], "indexedImage"
    )
    palette = np.zeros((256, 4), dtype=np.uint8)
    legend: list[tuple[str, str]] = []
    for label, entry in response.get("labelMapping", {}).items():
        for item in entry if isinstance(entry, list) else [entry]:
            index = item if isinstance(item, int) else int(item["index"])
            colour = item.get("color") if isinstance(item, dict) else None
            colour = colour or labelmap.color(index)
            rgb = bytes.fromhex(colour.lstrip("#")[:6])
            palette[index] = (*rgb, 150)
            legend.append((label, colour))
    out = io.BytesIO()
    Image.fromarray(palette[indexes]).save(out, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")
    return Drawing("mask", mask=uri, legend=list(dict.fromkeys(legend)))


def spans(text: str, annotations: list[dict[str, Any]]) -> list[Segment]:
    """The text cut at span edges (code-point offsets, as Python slices); an overlapping span
    is marked from where the previous one ends (the full list is in the JSON)."""
    out: list[Segment] = []
    colours: dict[str, int] = {}
    at = 0
    for a in sorted(annotations, key=lambda s: (s["start"], s["end"])):
        start, end = max(int(a["start"]), at), int(a["end"])
        if end <= start:
            continue
        if start > at:
            out.append(Segment(text[at:start]))
        label = str(a.get("label", ""))
        out.append(Segment(text[start:end], label, colours.setdefault(label, len(colours) % 8)))
        at = end
    if at < len(text):
        out.append(Segment(text[at:]))
    return out


def attachments(params: dict[str, Any]) -> list[dict[str, Any]]:
    """A task's `attachments` list ({type, content}): text inline, others as a loadable URL."""
    out = []
    for a in params.get("attachments") or []:
        if isinstance(a, dict) and isinstance(a.get("content"), str):
            url = None if a.get("type") == "text" else media_url(a["content"])
            out.append({"type": a.get("type"), "content": a["content"], "url": url})
    return out


def comparison_responses(params: dict[str, Any]) -> list[dict[str, str]]:
    """The compared responses as sanitized HTML, for the page (the choice comes from `draw`)."""
    return [
        {
            "id": str(r.get("id")),
            "model": str(r.get("model") or ""),
            "html": to_html(r.get("content")),
        }
        for r in params.get("responses") or []
    ]
