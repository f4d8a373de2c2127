"""export jobs: background exports for the org admin pages, with progress

Revision ID: 0008_export_jobs
Revises: 0005_fidelity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import labelworks.db.types

revision = "0008_export_jobs"
down_revision = "0007_org_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("batch", sa.String(length=200), nullable=True),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", labelworks.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", labelworks.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_export_jobs_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_jobs")),
    )
    op.create_index(
        op.f("ix_export_jobs_org_id_created_at"), "export_jobs", ["org_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_export_jobs_org_id_created_at"), table_name="export_jobs")
    op.drop_table("export_jobs")
