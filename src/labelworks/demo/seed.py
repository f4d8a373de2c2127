"""Seed a ready demo: an org with a key, one project of every task type with a few tasks, and
annotator accounts. Safe to run again: existing objects are kept, a fresh key is printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from labelworks.db.database import Database
from labelworks.db.tables import Org, User
from labelworks.errors import Conflict
from labelworks.services import files, orgs, projects, tasks, teams, users
from labelworks.services.scope import Principal

MEDIA = Path(__file__).parent / "media"
DEMO_ORG = "demo"
DEMO_PASSWORD = "demo-password"
DEMO_PEOPLE = [
    ("annotator1@demo.local", "annotator"),
    ("annotator2@demo.local", "annotator"),
    ("reviewer@demo.local", "reviewer"),
    ("admin@demo.local", "admin"),
]
# The demo org's customer user: an admin on its team (dashboard, tasks, settings).
DEMO_CUSTOMER = "customer@demo.local"


def _projects(images: list[str]) -> list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    text = "Ada Lovelace met Charles Babbage in London in 1833."
    return [
        (
            "Demo: vehicle color",
            "categorization",
            {
                "categories": ["red", "blue", "yellow", "other"],
                "instruction": "Color of the largest vehicle?",
            },
            [{"attachment": u, "attachment_type": "image"} for u in images],
        ),
        (
            "Demo: vehicle boxes",
            "imageannotation",
            {
                "geometries": {
                    "box": {"objects_to_annotate": ["car", "truck"]},
                    "polygon": {"objects_to_annotate": ["road"]},
                    "point": {"objects_to_annotate": ["wheel"]},
                },
                "instruction": "Box every vehicle.",
            },
            [{"attachment": u} for u in images],
        ),
        (
            "Demo: entities",
            "namedentityrecognition",
            {
                "labels": [{"name": "PERSON"}, {"name": "PLACE"}, {"name": "DATE"}],
                "instruction": "Mark people, places and dates.",
            },
            [{"text": text}, {"text": "Grace Hopper joined the Navy in 1943 in New York."}],
        ),
        (
            "Demo: SFT demonstrations",
            "textcollection",
            {
                "fields": [
                    {
                        "type": "text",
                        "field_id": "answer",
                        "title": "Ideal assistant answer",
                        "min_characters": 10,
                    }
                ],
                "instruction": "Write the ideal assistant reply.",
            },
            [
                {"attachments": [{"type": "text", "content": q}]}
                for q in (
                    "Explain recursion to a ten-year-old.",
                    "Summarise the water cycle in two sentences.",
                )
            ],
        ),
        (
            "Demo: transcription",
            "transcription",
            {
                "fields": [
                    {"type": "text", "field_id": "plate", "title": "Text visible in the image"}
                ],
                "instruction": "Transcribe any visible text.",
            },
            [{"attachments": [{"type": "image", "content": u}]} for u in images[:2]],
        ),
        (
            "Demo: preference",
            "comparison",
            {
                "instruction": "Which reply is more helpful and harmless?",
                "fields": [
                    {
                        "type": "likert",
                        "field_id": "strength",
                        "title": "How much better?",
                        "scale": 5,
                    }
                ],
            },
            [
                {
                    "prompt": "How do I boil an egg?",
                    "responses": [
                        {"id": "a", "content": "Boil water, add the egg, cook 9 minutes."},
                        {"id": "b", "content": "Eggs are laid by hens."},
                    ],
                },
                {
                    "prompt": "Write a haiku about autumn.",
                    "responses": [
                        {"id": "a", "content": "Red leaves drift and fall / ..."},
                        {"id": "b", "content": "Autumn is a season."},
                    ],
                },
            ],
        ),
    ]


def seed_demo(db: Database, public_url: str) -> list[str]:
    with db.write() as session:
        org = session.scalar(select(Org).where(Org.name == DEMO_ORG))
        if org is None:
            org, key = orgs.create_org(session, DEMO_ORG)
        else:
            key = orgs.create_key(session, org)
        principal = Principal(org.id, org.name)
        for email, role in DEMO_PEOPLE:
            if session.scalar(select(User).where(User.email == email)) is None:
                users.create_user(session, email, role, DEMO_PASSWORD)
        if session.scalar(select(User).where(User.email == DEMO_CUSTOMER)) is None:
            users.create_user(session, DEMO_CUSTOMER, "customer", DEMO_PASSWORD, org)
        teams.add_owner(session, org, DEMO_CUSTOMER)
    images = _upload_images(db, principal, public_url)
    for name, kind, params, task_bodies in _projects(images):
        with db.write() as session:
            try:
                projects.create_project(
                    session, principal, {"name": name, "type": kind, "params": params}
                )
            except Conflict:
                session.rollback()
                continue
            for i, body in enumerate(task_bodies):
                tasks.create_task(
                    session,
                    principal,
                    kind,
                    {**body, "project": name, "unique_id": f"demo-{kind}-{i}"},
                )
    return [
        f"demo organisation {DEMO_ORG!r}; demo people "
        f"{', '.join(e for e, _ in DEMO_PEOPLE)}, {DEMO_CUSTOMER} (password {DEMO_PASSWORD!r})",
        f"API: {public_url}/v1  (scaleapi.ScaleClient(KEY, api_instance_url='{public_url}/v1'))",
        "demo API key:",
        key,
    ]


def _upload_images(db: Database, principal: Principal, public_url: str) -> list[str]:
    urls = []
    for path in sorted(MEDIA.glob("*.png")):
        with path.open("rb") as stream:
            blob = files.store_upload(db, principal, stream, path.name, "image/png")
        with db.write() as session:
            record = files.record_file(session, principal, blob, {"demo": True})
        urls.append(f"{public_url}/v1/files/{record.id}/content")
    return urls
