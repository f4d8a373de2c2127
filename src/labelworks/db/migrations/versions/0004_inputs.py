"""Team invites are pending until accepted: team_members.status (pending | active).

Revision ID: 0004_inputs
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_inputs"
down_revision = "0003_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing members joined under the old rules: they stay active.
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), server_default="active", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_column("status")
