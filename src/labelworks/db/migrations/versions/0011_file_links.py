"""file links: which projects' tasks use an uploaded file (project-limited API keys)

Revision ID: 0011_file_links
Revises: 0010_access_trail
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_file_links"
down_revision = "0010_access_trail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_links",
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"], ["files.id"], name=op.f("fk_file_links_file_id_files"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_file_links_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", "project_id", name=op.f("pk_file_links")),
    )
    op.create_index(op.f("ix_file_links_project_id"), "file_links", ["project_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_file_links_project_id"), table_name="file_links")
    op.drop_table("file_links")
