"""documenttranscription: OCR of documents. Annotators draw regions on pages, label them and type
the text each holds, in reading order.

Params: `attachment` (one URL) or `attachments` (the pages/files, in order), `features` (the region
labels asked for; without them any label goes), `hypothesis` (pre-labels, the response's shape).
Response (Scale's shape): `{"annotations": [{uuid, page, label, text, location: {type: box|polygon,
...}, refs, reading_order}]}`, pixel coordinates on page `page` (index into the attachments' pages).
`reading_order` ranks the regions of a page; when no region has one, the list order is the order.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any, Literal
from uuid import uuid4

from pydantic import Field, model_validator

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import (
    Count,
    Flag,
    Name,
    Number,
    Record,
    StrictModel,
    TaskType,
    first_duplicate,
)
from labelworks.tasktypes.imageannotation import SHAPE_MIN_VERTICES, Coordinate, Extent, Vertex


class BoxLocation(StrictModel):
    type: Literal["box"]
    left: Coordinate
    top: Coordinate
    width: Extent
    height: Extent


class PolygonLocation(StrictModel):
    type: Literal["polygon"]
    vertices: Annotated[list[Vertex], Field(min_length=SHAPE_MIN_VERTICES["polygon"])]


Location = Annotated[BoxLocation | PolygonLocation, Field(discriminator="type")]


class Region(StrictModel):
    uuid: Name = Field(default_factory=lambda: str(uuid4()))
    page: Count = 0
    label: Name
    text: str = Field(strict=True)
    location: Location
    refs: list[Name] = []  # uuids of related regions (a value's key, a table cell's header)
    reading_order: Count | None = None
    attributes: dict[str, Any] = {}


class DocumentPage(StrictModel):
    width: Annotated[Number, Field(gt=0)]
    height: Annotated[Number, Field(gt=0)]


class DocumentTranscriptionResponse(StrictModel):
    annotations: list[Region]
    document_pages: list[DocumentPage] | None = None


class Feature(StrictModel):
    """One kind of region to find: its label, the shapes allowed, whether one must be drawn."""

    label: Name
    type: Literal["box", "polygon"] | None = None  # None: either shape
    description: str | None = None
    required: Flag = False
    multiple: Flag = True


class DocumentTranscriptionParams(StrictModel):
    attachment: Name | None = None
    attachments: list[Name] | None = None
    attachment_type: Literal["pdf", "image"] | None = None
    features: list[Feature] = []
    hypothesis: DocumentTranscriptionResponse | None = None

    @model_validator(mode="after")
    def _something_to_read(self) -> DocumentTranscriptionParams:
        if not self.attachment and not self.attachments:
            raise ValueError("attachment or attachments is required")
        return self


def _typed(region: dict[str, Any]) -> dict[str, Any]:
    """A region as `quality/geometry.py` takes an annotation: the location with its label."""
    return {**region["location"], "label": region["label"]}


class DocumentTranscription(TaskType):
    name = "documenttranscription"
    params_model = DocumentTranscriptionParams
    response_model = DocumentTranscriptionResponse
    export_formats = ("jsonl", "hf")

    def validate_params(
        self, params: dict[str, Any], warnings: list[str] | None = None
    ) -> dict[str, Any]:
        if (
            isinstance(params, dict)
            and not params.get("attachment")
            and not params.get("attachments")
        ):
            raise InvalidRequest("attachment or attachments is required", "attachment")
        return super().validate_params(params, warnings)

    def check_params(self, params: dict[str, Any]) -> None:
        try:
            first_duplicate((f["label"] for f in params.get("features", [])), "label")
        except ValueError as exc:
            raise InvalidRequest(str(exc), "features") from None
        if "hypothesis" in params:
            self._check_regions(params, params["hypothesis"], "hypothesis", required=False)

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        self._check_regions(params, response, "response", required=True)

    def _check_regions(
        self, params: dict[str, Any], response: dict[str, Any], prefix: str, required: bool
    ) -> None:
        features = {f["label"]: f for f in params.get("features", [])}
        regions = response["annotations"]
        pages = _page_count(params)
        uuids: set[str] = set()
        count: dict[str, int] = defaultdict(int)
        for i, region in enumerate(regions):
            path = f"{prefix}.annotations.{i}"
            if pages is not None and region["page"] >= pages:
                raise InvalidRequest(
                    f"the task has {pages} page{'s' if pages > 1 else ''}", f"{path}.page"
                )
            if region["uuid"] in uuids:
                raise InvalidRequest("duplicate uuid", f"{path}.uuid")
            uuids.add(region["uuid"])
            feature = features.get(region["label"])
            if features and feature is None:
                raise InvalidRequest(
                    f"{region['label']!r} is not one of the features {sorted(features)}",
                    f"{path}.label",
                )
            shape = region["location"]["type"]
            if feature and feature.get("type") not in (None, shape):
                raise InvalidRequest(
                    f"{region['label']!r} regions are drawn as a {feature['type']}, not a {shape}",
                    f"{path}.location.type",
                )
            count[region["label"]] += 1
            if feature and not feature.get("multiple", True) and count[region["label"]] > 1:
                raise InvalidRequest(f"only one {region['label']!r} region is allowed", path)
        for i, region in enumerate(regions):
            for j, ref in enumerate(region["refs"]):
                if ref not in uuids:
                    raise InvalidRequest(
                        "is not the uuid of a region", f"{prefix}.annotations.{i}.refs.{j}"
                    )
        if required:
            for label, feature in features.items():
                if feature.get("required") and not count[label]:
                    raise InvalidRequest(f"a {label!r} region is required", f"{prefix}.annotations")
        _order(regions, f"{prefix}.annotations")

    # --- quality ----------------------------------------------------------------------------

    def consensus(
        self, params: dict[str, Any], responses: list[dict[str, Any]], weights: list[float]
    ) -> tuple[dict[str, Any], float]:
        """Per page: regions matched across annotators (Hungarian, IoU >= 0.5) and kept when a
        majority drew them, locations fused as imageannotation's are; the text is the weighted
        vote among the matched regions, the reading order their mean rank."""
        from labelworks.quality.geometry import fuse_annotations

        pages = sorted({r["page"] for resp in responses for r in resp.get("annotations", [])})
        out: list[dict[str, Any]] = []
        agreements: list[float] = []
        for page in pages:
            per_worker = [
                [r for r in resp.get("annotations", []) if r["page"] == page] for resp in responses
            ]
            fused = fuse_annotations([[_typed(r) for r in rs] for rs in per_worker], weights)
            agreements.append(fused.agreement)
            for shape, members in zip(fused.annotations, fused.clusters, strict=True):
                texts: dict[str, float] = defaultdict(float)
                for wi, i in members:
                    texts[per_worker[wi][i]["text"]] += weights[wi]
                rank = sum(per_worker[wi][i]["reading_order"] for wi, i in members) / len(members)
                location = {k: v for k, v in shape.items() if k not in ("label", "support")}
                out.append(
                    {
                        "uuid": str(uuid4()),
                        "page": page,
                        "label": shape["label"],
                        "text": max(texts, key=lambda t: texts[t]),
                        "location": location,
                        "refs": [],
                        "reading_order": rank,
                        "attributes": {},
                    }
                )
        out.sort(key=lambda r: (r["page"], r["reading_order"]))
        for r in out:
            r["reading_order"] = None
        _order(out, "annotations")
        confidence = sum(agreements) / len(agreements) if agreements else 1.0
        return {"annotations": out}, float(confidence)

    def score(
        self, params: dict[str, Any], response: dict[str, Any], expected: dict[str, Any]
    ) -> float | None:
        """F1 over regions: a region counts when it overlaps a gold region of its page
        (IoU >= 0.5) with the same label and the same text (whitespace-normalised)."""
        from labelworks.quality.geometry import match_annotations

        pred, gold = response.get("annotations", []), expected.get("annotations", [])
        if not pred and not gold:
            return 1.0
        hits = 0
        for page in {r["page"] for r in pred} | {r["page"] for r in gold}:
            p = [r for r in pred if r["page"] == page]
            g = [r for r in gold if r["page"] == page]
            for i, j, _ in match_annotations([_typed(r) for r in p], [_typed(r) for r in g]):
                same_text = " ".join(p[i]["text"].split()) == " ".join(g[j]["text"].split())
                hits += p[i]["label"] == g[j]["label"] and same_text
        return 2 * hits / (len(pred) + len(gold))

    def placeholder_response(self, params: dict[str, Any]) -> dict[str, Any]:
        """A valid answer for test-environment tasks: one empty box per required feature."""
        regions = [
            {
                "uuid": str(uuid4()),
                "page": 0,
                "label": f["label"],
                "text": "",
                "location": {
                    "type": f.get("type") or "box",
                    "left": 0,
                    "top": 0,
                    "width": 1,
                    "height": 1,
                }
                if (f.get("type") or "box") == "box"
                else {
                    "type": "polygon",
                    "vertices": [{"x": 0, "y": 0}, {"x": 1, "y": 0}, {"x": 0, "y": 1}],
                },
                "refs": [],
                "reading_order": n,
                "attributes": {},
            }
            for n, f in enumerate(f for f in params.get("features", []) if f.get("required"))
        ]
        return {"annotations": regions}

    # --- exports ----------------------------------------------------------------------------

    def hf_fields(self) -> list[tuple[str, Any]]:
        import pyarrow as pa

        region = pa.struct(
            [
                ("uuid", pa.string()),
                ("page", pa.int32()),
                ("label", pa.string()),
                ("text", pa.string()),
                ("bbox", pa.list_(pa.float64())),
                ("reading_order", pa.int32()),
            ]
        )
        return [("attachments", pa.list_(pa.string())), ("regions", pa.list_(region))]

    def hf_row(self, record: Record) -> dict[str, Any]:
        """`bbox` is [left, top, width, height] of each region (a polygon's bounds)."""
        params = record.params
        attachments = params.get("attachments") or [params["attachment"]]
        regions = []
        for r in (record.response or {}).get("annotations", []):
            loc = r["location"]
            if loc["type"] == "box":
                bbox = [loc["left"], loc["top"], loc["width"], loc["height"]]
            else:
                xs = [v["x"] for v in loc["vertices"]]
                ys = [v["y"] for v in loc["vertices"]]
                bbox = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
            regions.append(
                {
                    "uuid": r["uuid"],
                    "page": r["page"],
                    "label": r["label"],
                    "text": r["text"],
                    "bbox": bbox,
                    "reading_order": r["reading_order"],
                }
            )
        return {"attachments": attachments, "regions": regions}


def _order(regions: list[dict[str, Any]], path: str) -> None:
    """Fill `reading_order` from the list order when no region has one; else every region needs
    one, distinct within its page."""
    given = [r.get("reading_order") is not None for r in regions]
    if not any(given):
        per_page: dict[int, int] = defaultdict(int)
        for r in regions:
            r["reading_order"] = per_page[r["page"]]
            per_page[r["page"]] += 1
        return
    seen: set[tuple[int, int]] = set()
    for i, r in enumerate(regions):
        if r.get("reading_order") is None:
            raise InvalidRequest(
                "is required when other regions have one", f"{path}.{i}.reading_order"
            )
        key = (r["page"], r["reading_order"])
        if key in seen:
            raise InvalidRequest(
                f"duplicate reading_order on page {r['page']}", f"{path}.{i}.reading_order"
            )
        seen.add(key)


def _page_count(params: dict[str, Any]) -> int | None:
    """Pages of image attachments (one each); None when a PDF's page count is unknown here."""
    if params.get("attachment_type") != "image":
        return None
    return len(params.get("attachments") or [params["attachment"]])
