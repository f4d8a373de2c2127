"""Scale fidelity: test-environment API keys and batches, per-type default projects.

Revision ID: 0005_fidelity
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_fidelity"
down_revision = "0004_inputs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN with a server default works in place on SQLite and PostgreSQL.
    op.add_column(
        "api_keys",
        sa.Column("is_test", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "batches",
        sa.Column("is_test", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "projects",
        sa.Column("is_default", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("is_default")
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("is_test")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("is_test")
