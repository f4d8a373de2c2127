"""Encryption at rest: per-org keys, keyed hash of unique_id, sealed text columns.

Revision ID: 0007_org_keys
Revises: 0005_fidelity

Rows written before this revision stay readable as plaintext (the envelope prefix tells them
apart); `labelworks keys rotate --org ORG --reencrypt` seals them and fills `unique_key`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_org_keys"
down_revision = "0006_counters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_keys",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_keys")),
    )
    op.create_index("ix_org_keys_org_id_purpose", "org_keys", ["org_id", "purpose"])
    op.add_column("tasks", sa.Column("unique_key", sa.String(length=64), nullable=True))
    op.create_index("uq_tasks_org_id_unique_key", "tasks", ["org_id", "unique_key"], unique=True)
    if op.get_context().dialect.name == "postgresql":
        # Sealed values are longer than their plaintext; uniqueness moves to unique_key. (SQLite
        # ignores lengths, and its old constraint, inside the table, holds on unique ciphertext.)
        op.drop_constraint("uq_tasks_org_id_unique_id", "tasks", type_="unique")
        op.alter_column("tasks", "unique_id", type_=sa.Text(), existing_nullable=True)
        op.alter_column("files", "filename", type_=sa.Text(), existing_nullable=True)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.alter_column("files", "filename", type_=sa.String(length=400))
        op.alter_column("tasks", "unique_id", type_=sa.String(length=400))
        op.create_unique_constraint("uq_tasks_org_id_unique_id", "tasks", ["org_id", "unique_id"])
    op.drop_index("uq_tasks_org_id_unique_key", table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("unique_key")
    op.drop_index("ix_org_keys_org_id_purpose", table_name="org_keys")
    op.drop_table("org_keys")
