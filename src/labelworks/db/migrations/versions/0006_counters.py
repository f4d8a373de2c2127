"""Dashboard counters: task counts per status, hourly activity, annotator aliases; backfilled.

Revision ID: 0006_counters
Revises: 0005_fidelity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import labelworks.db.types

revision = "0006_counters"
down_revision = "0005_fidelity"
branch_labels = None
depends_on = None


def _owner_fks(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f(f"fk_{table}_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f(f"fk_{table}_project_id_projects"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "task_counts",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        *_owner_fks("task_counts"),
        sa.PrimaryKeyConstraint(
            "org_id", "project_id", "batch_id", "kind", "is_test", "status",
            name=op.f("pk_task_counts"),
        ),
    )  # fmt: skip
    counters = [
        sa.Column(name, sa.Integer(), nullable=False, server_default="0")
        for name in (
            "labels", "completed", "review_accept", "review_fix", "review_reject",
            "gold_answered", "gold_correct", "labels_saved",
        )
    ]  # fmt: skip
    op.create_table(
        "activity_hours",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("hour", labelworks.db.types.UTCDateTime(timezone=True), nullable=False),
        *counters,
        *_owner_fks("activity_hours"),
        sa.PrimaryKeyConstraint("org_id", "project_id", "hour", name=op.f("pk_activity_hours")),
    )
    op.create_table(
        "annotator_aliases",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_annotator_aliases_org_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_annotator_aliases_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "user_id", name=op.f("pk_annotator_aliases")),
        sa.UniqueConstraint("org_id", "number", name=op.f("uq_annotator_aliases_org_id_number")),
    )  # fmt: skip
    from labelworks.services.counters import backfill

    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("annotator_aliases")
    op.drop_table("activity_hours")
    op.drop_table("task_counts")
