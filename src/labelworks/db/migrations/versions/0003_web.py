"""web workspace: server drafts and review reasons

Revision ID: 0003_web
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import labelworks.db.types

revision = "0003_web"
down_revision = "0002_workflow"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "work_drafts",
        sa.Column("assignment_id", BigId, nullable=False),
        sa.Column("response", labelworks.db.types.Content(), nullable=True),
        sa.Column("updated_at", labelworks.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_work_drafts_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assignment_id", name=op.f("pk_work_drafts")),
    )
    op.create_table(
        "review_reasons",
        sa.Column("assignment_id", BigId, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", labelworks.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_review_reasons_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assignment_id", name=op.f("pk_review_reasons")),
    )


def downgrade() -> None:
    op.drop_table("review_reasons")
    op.drop_table("work_drafts")
