"""`/docs` (Swagger UI) and `/redoc`, served offline from the package (`api/static`).

No inline script: the pages load their start-up code from files, so a strict Content Security
Policy can apply to them.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from labelworks.api.policies.base import PUBLIC

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ASSETS = "/docs/assets"

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

SWAGGER_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Labelworks API</title>
<link rel="stylesheet" href="{ASSETS}/vendor/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS}/vendor/swagger-ui-bundle.js"></script>
<script src="{ASSETS}/docs-init.js"></script>
</body>
</html>
"""

REDOC_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Labelworks API</title>
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="{ASSETS}/vendor/redoc.standalone.js"></script>
</body>
</html>
"""


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return HTMLResponse(SWAGGER_PAGE)


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return HTMLResponse(REDOC_PAGE)


def assets() -> StaticFiles:
    return StaticFiles(directory=STATIC_DIR)
